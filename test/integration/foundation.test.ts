import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../runtime/ports.js';
import { applicationStateQuery, applicationWorkflowId } from '../../workflows/account-opening/definitions.js';
import { startTestHub, type TestHub } from '../support/hub.js';

describe('foundation on real PostgreSQL and Temporal', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('answers health and readiness over HTTP', async () => {
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${hub.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } });
  });

  it('refuses the API without a token and serves the OpenAPI document', async () => {
    const me = await hub.api(null, 'GET', '/me');
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('UNAUTHENTICATED');
    const doc = await hub.api(null, 'GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toContain('/api/applications/{id}/approve');
    // Each command's error answers come from the codes it can raise.
    const approve = doc.body.paths['/api/applications/{id}/approve'].post.responses;
    const codesOf = (status: number) =>
      approve[status].content['application/json'].schema.properties.error.properties.code.enum;
    expect(codesOf(403)).toEqual(
      expect.arrayContaining(['FORBIDDEN', 'FOUR_EYES_VIOLATION', 'SECOND_APPROVER_REQUIRED']),
    );
    expect(codesOf(400)).toEqual(expect.arrayContaining(['INVALID_STATUS_TRANSITION', 'COMPLIANCE_REVIEW_REQUIRED']));
    expect(codesOf(404)).toContain('APPLICATION_NOT_FOUND');
    const edit = doc.body.paths['/api/rebalances/{id}/edit'].post.responses;
    expect(edit[400].content['application/json'].schema.properties.error.properties.code.enum).toContain(
      'INVALID_TRADE',
    );
    expect(edit[400].description).toContain('INVALID_TRADE');
  });

  it('runs a workflow round trip through the Temporal server', async () => {
    const advisor = await hub.login('alex.advisor@hub.example');
    const created = await hub.api(advisor, 'POST', '/applications', {
      client_id: 'cli_chris_carter',
      account_type: 'individual',
    });
    expect(created.status).toBe(201);
    const handle = hub.server.deps.temporal.workflow.getHandle(applicationWorkflowId(created.body.application_id));
    const state = await handle.query(applicationStateQuery);
    expect(state).toMatchObject({
      application_id: created.body.application_id,
      status: 'draft',
      client_id: 'cli_chris_carter',
    });
  });

  it('sends a pg-boss job and sees it completed', async () => {
    const queue = `smoke-${Date.now()}`;
    await hub.boss.createQueue(queue);
    const handled = new Promise<unknown>(
      (resolve) => void hub.boss.work(queue, { pollingIntervalSeconds: 0.5 }, async ([job]) => resolve(job.data)),
    );
    const id = await hub.boss.send(queue, { hello: 'jobs' });
    expect(await handled).toEqual({ hello: 'jobs' });
    await expect
      .poll(async () => (await hub.boss.getJobById(queue, id!, { includeArchive: true }))?.state, { timeout: 10_000 })
      .toBe('completed');
  });

  it('connects a Socket.IO client with a token and refuses one without', async () => {
    const token = await hub.login('omar.ops@hub.example');
    const socket = connectSocket(hub.url, { auth: { token }, transports: ['websocket'] });
    const welcome = await new Promise<{ user: { id: string } }>((resolve, reject) => {
      socket.on('hub:welcome', resolve);
      socket.on('connect_error', reject);
    });
    expect(welcome.user.id).toBe('usr_omar_ops');
    socket.close();

    const anonymous = connectSocket(hub.url, { transports: ['websocket'] });
    const refused = await new Promise<Error>((resolve) => anonymous.on('connect_error', resolve));
    expect(refused.message).toBe('UNAUTHENTICATED');
    anonymous.close();
  });
});

describe('npm start supervisor', () => {
  it('starts PostgreSQL, Temporal, worker and server, serves /readyz, and leaves nothing behind on SIGINT', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hub-supervisor-'));
    // Run as root, PostgreSQL runs as the postgres user, which must be able to enter the data directory.
    chmodSync(dataDir, 0o755);
    const [port, pgPort, temporalPort, uiPort] = await Promise.all([
      findFreePort(),
      findFreePort(),
      findFreePort(),
      findFreePort(),
    ]);
    const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/start.ts'], {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        HUB_DATA_DIR: dataDir,
        PORT: String(port),
        EMBEDDED_POSTGRES_PORT: String(pgPort),
        TEMPORAL_DEV_PORT: String(temporalPort),
        TEMPORAL_UI_PORT: String(uiPort),
        DATABASE_URL: '',
        TEMPORAL_ADDRESS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    let exitedEarly = false;
    void exited.then(() => (exitedEarly = true));
    await expect
      // The first start also seeds the demo firm's processes through the worker before the banner.
      .poll(() => (exitedEarly ? `exited early: ${output}` : output), { timeout: 180_000, interval: 200 })
      .toContain(`Ops hub ready: http://127.0.0.1:${port}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    const processesUsingDataDir = () =>
      execFileSync('ps', ['-eo', 'args'])
        .toString()
        .split('\n')
        .filter((line) => line.includes(dataDir));
    expect(processesUsingDataDir().some((line) => line.includes('postgres'))).toBe(true);
    expect(processesUsingDataDir().some((line) => line.includes('temporal'))).toBe(true);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(processesUsingDataDir()).toEqual([]);
  }, 240_000);
});
