import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditContentOf, hashAuditContent } from '../../db/audit-chain.js';
import { appendAudit, chainUnchainedAudit } from '../../db/audit.js';
import { createSql } from '../../db/client.js';
import { verifyAuditTrail } from '../../hub/audit-verification.js';
import { QUEUES } from '../../db/jobs.js';
import { complianceNotesText } from '../../hub/compliance-notes.js';
import { enforceAuditRetention } from '../../workers/jobs/audit-trail.js';
import { SYSTEM_ACTOR } from '../../workflows/process-records.js';
import { createTestDatabase, eventually, waitForNotice, waitForStatus } from '../support/hub.js';
import { openNotesPeer } from '../support/notes-peer.js';
import {
  approvalPost,
  buttonClick,
  MANAGERS_CHANNEL,
  postInteraction,
  startSlackTestHub,
  type SlackTestHub,
} from '../support/slack.js';
import { applicationInReview } from '../support/account-opening.js';

const run = promisify(execFile);
const HASH = /^[0-9a-f]{64}$/;

describe('the tamper-evident audit trail, on real PostgreSQL, Temporal and the Slack emulator', () => {
  let t: SlackTestHub;
  let admin: string;
  let carla: string;
  let alex: string;
  let chris: string;
  let dir: string;
  beforeAll(async () => {
    t = await startSlackTestHub();
    [admin, carla, alex, chris] = await Promise.all(
      [
        'ada.admin@hub.example',
        'carla.compliance@hub.example',
        'alex.advisor@hub.example',
        'chris.carter@client.example',
      ].map((e) => t.hub.login(e)),
    );
    dir = mkdtempSync(path.join(tmpdir(), 'audit-export-'));
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const verify = () => t.hub.api(admin, 'GET', '/audit/verify');
  /** `npm run audit:verify` as an operator runs it, against this file's database. */
  const verifyCommand = (args: string[] = []) =>
    run('npx', ['tsx', 'runtime/audit-verify.ts', ...args], {
      env: { ...process.env, DATABASE_URL: t.hub.config.DATABASE_URL, LOG_LEVEL: 'error' },
    }).then(
      (r) => ({ code: 0, out: r.stdout.trim() }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: `${e.stdout}${e.stderr}`.trim() }),
    );
  /** A privileged session that bypasses the append-only triggers, as a superuser could. */
  async function asSuperuser<T>(work: (db: postgres.Sql) => Promise<T>): Promise<T> {
    const db = postgres(t.hub.config.DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      await db`SET session_replication_role = replica`;
      return await work(db);
    } finally {
      await db.end();
    }
  }
  const someRows = async (n: number) => t.hub.sql`SELECT * FROM audit_log ORDER BY id DESC LIMIT ${n}`;

  it('chains every kind of audited action and verifies it, through the API and npm run audit:verify', async () => {
    const id = await applicationInReview(t.hub);
    expect((await t.hub.api(chris, 'POST', `/applications/${id}/approve`, {})).status).toBe(403);
    expect((await t.hub.api(admin, 'PUT', '/audit/retention', { years: 7 })).status).toBe(200);
    expect(
      (await t.hub.api(admin, 'PUT', '/admin/slack-users/UCOLIN', { user_id: 'usr_colin_compliance' })).status,
    ).toBe(200);
    const kinds = await t.hub.sql`SELECT DISTINCT outcome, action FROM audit_log`;
    for (const [outcome, action] of [
      ['accepted', 'start_application'],
      ['refused', 'compliance_approve'],
      ['accepted', 'update_setting'],
      ['accepted', 'manage_slack_users'],
    ]) {
      expect(kinds).toContainEqual({ outcome, action });
    }
    expect(await t.hub.sql`SELECT id FROM audit_log WHERE hash IS NULL OR prev_hash IS NULL`).toHaveLength(0);

    const report = await verify();
    expect(report.status).toBe(200);
    expect(report.body.ok).toBe(true);
    expect(report.body.message).toMatch(/^\d+ rows verified, head [0-9a-f]{64}$/);
    const cli = await verifyCommand();
    expect(cli.code).toBe(0);
    expect(cli.out).toMatch(/^\d+ rows verified, head [0-9a-f]{64}$/);
    // The verification itself is audited, as the row after the head the report named.
    const [last] = await someRows(1);
    expect(last).toMatchObject({ action: 'verify_audit', actor_id: 'usr_ada_admin', prev_hash: report.body.head });

    const advisorTry = await t.hub.api(alex, 'GET', '/audit/verify');
    expect(advisorTry.status).toBe(403);
    const [refusal] = await t.hub
      .sql`SELECT outcome, error_code FROM audit_log WHERE action = 'verify_audit' AND actor_id = 'usr_alex_advisor'`;
    expect(refusal).toEqual({ outcome: 'refused', error_code: 'FORBIDDEN' });
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the trail, to its owner and to a hub role without those privileges', async () => {
    const [row] = await someRows(1);
    await expect(t.hub.sql`UPDATE audit_log SET actor_id = 'someone_else' WHERE id = ${row.id}`).rejects.toThrow(
      /append-only/,
    );
    await expect(t.hub.sql`DELETE FROM audit_log WHERE id = ${row.id}`).rejects.toThrow(/append-only/);
    await expect(t.hub.sql`TRUNCATE audit_log`).rejects.toThrow(/append-only/);
    await expect(
      t.hub
        .sql`INSERT INTO audit_log (actor_id, actor_role, channel, action, outcome) VALUES ('x', 'admin', 'api', 'forged', 'accepted')`,
    ).rejects.toThrow(/chain hash/);

    // The hub's role as a deployment grants it: read and append, no UPDATE or DELETE.
    const role = `hub_app_${randomBytes(4).toString('hex')}`;
    const database = new URL(t.hub.config.DATABASE_URL!).pathname.slice(1);
    await t.hub.sql.unsafe(`CREATE ROLE ${role} LOGIN PASSWORD 'app'`);
    try {
      await t.hub.sql.unsafe(`GRANT CONNECT ON DATABASE ${database} TO ${role}`);
      await t.hub.sql.unsafe(`GRANT SELECT, INSERT ON audit_log, audit_checkpoints TO ${role}`);
      await t.hub.sql.unsafe(`GRANT USAGE ON SEQUENCE audit_log_id_seq, audit_checkpoints_id_seq TO ${role}`);
      const url = new URL(t.hub.config.DATABASE_URL!);
      url.username = role;
      url.password = 'app';
      const app = postgres(url.toString(), { max: 1, onnotice: () => {} });
      try {
        await appendAudit(app as never, {
          process_type: 'audit',
          process_id: null,
          actor: SYSTEM_ACTOR,
          action: 'role_check',
          outcome: 'accepted',
        });
        await expect(app`UPDATE audit_log SET actor_id = 'x' WHERE id = ${row.id}`).rejects.toThrow(
          /permission denied/,
        );
        await expect(app`DELETE FROM audit_log WHERE id = ${row.id}`).rejects.toThrow(/permission denied/);
        await expect(app`SELECT remove_expired_audit(${row.id})`).rejects.toThrow(/permission denied/);
      } finally {
        await app.end();
      }
    } finally {
      await t.hub.sql.unsafe(`DROP OWNED BY ${role}`);
      await t.hub.sql.unsafe(`DROP ROLE ${role}`);
    }
    expect((await verify()).body.ok).toBe(true);
  });

  it('names the first changed row, and the row after a deleted one, when a privileged user bypasses the trigger', async () => {
    const rows = await t.hub.sql`SELECT * FROM audit_log ORDER BY id LIMIT 6`;
    const changed = rows[2];
    await asSuperuser(
      (db) => db`UPDATE audit_log SET details = details || '{"notes":"nothing to see"}' WHERE id = ${changed.id}`,
    );
    let report = await verify();
    expect(report.body).toMatchObject({ ok: false, break: { row_id: changed.id, reason: 'hash_mismatch' } });
    expect(report.body.message).toContain(`row ${changed.id} does not match its hash`);
    const cli = await verifyCommand();
    expect(cli.code).toBe(1);
    expect(cli.out).toContain(`row ${changed.id} does not match its hash`);
    await asSuperuser((db) => db`UPDATE audit_log SET details = ${db.json(changed.details)} WHERE id = ${changed.id}`);
    expect((await verify()).body.ok).toBe(true);

    const deleted = rows[4];
    const next = rows[5];
    await asSuperuser((db) => db`DELETE FROM audit_log WHERE id = ${deleted.id}`);
    report = await verify();
    expect(report.body).toMatchObject({ ok: false, break: { row_id: next.id, reason: 'link_mismatch' } });
    expect(report.body.message).toContain(`row ${next.id} does not link to row ${rows[3].id}`);
    await asSuperuser((db) => db`INSERT INTO audit_log ${db({ ...deleted, details: db.json(deleted.details) })}`);
    expect((await verify()).body.ok).toBe(true);
  });

  it('exports a period as NDJSON that verifies offline, and a tampered export fails, naming the row', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const response = await fetch(`${t.hub.url}/api/audit/export?from=${from}&to=${to}&format=ndjson`, {
      headers: { authorization: `Bearer ${carla}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const text = await response.text();
    const lines = text.trim().split('\n');
    expect(JSON.parse(lines[0]).audit_export).toMatchObject({
      from,
      to,
      linked: true,
      exported_by: 'usr_carla_compliance',
    });
    const end = JSON.parse(lines.at(-1)!).audit_export_end;
    expect(end.rows).toBe(lines.length - 2);
    expect(end.rows).toBeGreaterThan(10);

    const file = path.join(dir, 'export.ndjson');
    writeFileSync(file, text);
    const good = await verifyCommand(['--file', file]);
    expect(good).toEqual({ code: 0, out: `${end.rows} rows verified, head ${end.last_hash}` });

    const row = JSON.parse(lines[3]);
    const tampered = [...lines];
    tampered[3] = JSON.stringify({ ...row, actor_id: 'usr_someone_else' });
    writeFileSync(file, `${tampered.join('\n')}\n`);
    const bad = await verifyCommand(['--file', file]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`line 4: row ${row.id} does not match its hash`);

    const dropped = lines.filter((_, i) => i !== 3);
    writeFileSync(file, `${dropped.join('\n')}\n`);
    const gap = await verifyCommand(['--file', file]);
    expect(gap.code).toBe(1);
    expect(gap.out).toContain(`row ${JSON.parse(lines[4]).id} does not link to row ${JSON.parse(lines[2]).id}`);

    // One process's rows: each checked alone; CSV carries the same hashes.
    const [{ process_id: processId }] = await t.hub
      .sql`SELECT process_id FROM audit_log WHERE action = 'start_application' LIMIT 1`;
    const one = await fetch(`${t.hub.url}/api/audit/export?from=${from}&to=${to}&process_id=${processId}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    writeFileSync(file, await one.text());
    const filtered = await verifyCommand(['--file', file]);
    expect(filtered.code).toBe(0);
    expect(filtered.out).toMatch(/rows verified, head [0-9a-f]{64} \(rows of one process or user/);
    const csv = await (
      await fetch(`${t.hub.url}/api/audit/export?from=${from}&to=${to}&format=csv&user_id=usr_ada_admin`, {
        headers: { authorization: `Bearer ${admin}` },
      })
    ).text();
    expect(csv.split('\n')[0]).toBe(
      'id,at,process_type,process_id,actor_id,actor_role,actor_name,channel,slack_user_id,action,outcome,status_before,status_after,error_code,details,prev_hash,hash',
    );
    const [csvRow] = await t.hub.sql`SELECT hash FROM audit_log WHERE actor_id = 'usr_ada_admin' ORDER BY id LIMIT 1`;
    expect(csv.split('\n')[1]).toContain(csvRow.hash);

    const advisorExport = await t.hub.api(alex, 'GET', `/audit/export?from=${from}&to=${to}`);
    expect(advisorExport.status).toBe(403);
    const badRange = await t.hub.api(admin, 'GET', `/audit/export?from=${to}&to=${from}`);
    expect(badRange).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', details: { field: 'to' } } },
    });
    const badDate = await t.hub.api(admin, 'GET', `/audit/export?from=yesterday&to=${to}`);
    expect(badDate).toMatchObject({ status: 400, body: { error: { details: { field: 'from' } } } });
    const exports = await t.hub.sql`SELECT actor_id, outcome FROM audit_log WHERE action = 'export_audit' ORDER BY id`;
    expect(exports).toContainEqual({ actor_id: 'usr_carla_compliance', outcome: 'accepted' });
    expect(exports).toContainEqual({ actor_id: 'usr_alex_advisor', outcome: 'refused' });
  });

  it('keeps the decision record of a Slack approval with notes and a breached SLA', async () => {
    const policy = await t.hub.api(admin, 'PUT', '/sla/policies/account-opening-compliance-review', {
      process_type: 'account_opening',
      state: 'compliance_review',
      target: { unit: 'wall_clock_hours', amount: 1 / 3600 },
      calendar_id: null,
      rungs: [{ kind: 'breach', at_percent: 100, notify: ['role:manager'] }],
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(200);
    const id = await applicationInReview(t.hub);
    await waitForNotice(t.hub.sql, 'process_changed', async () => {
      const [breach] = await t.hub.sql`SELECT 1 FROM events WHERE process_id = ${id} AND type = 'sla.breached'`;
      return breach;
    });

    const peer = await openNotesPeer(t.hub.url, carla, id);
    const notes = 'Source of funds: salary, verified against payslips.';
    try {
      peer.text.insert(0, notes);
      await eventually(async () => (await complianceNotesText(t.hub.sql, id)) === notes, {
        what: 'the notes to be stored',
      });
    } finally {
      peer.close();
    }
    const post = await approvalPost(t.slack, id);
    await postInteraction(
      t.hub,
      buttonClick({ user: 'UCARLA', actionId: 'approve_application', value: id, messageTs: post.response.ts }),
    );
    await waitForStatus(t.hub.sql, id, 'account_created');

    const record = await t.hub.api(carla, 'GET', `/processes/${id}/decision-record`);
    expect(record.status).toBe(200);
    expect(record.body.decisions).toHaveLength(1);
    const [decision] = record.body.decisions;
    const [auditRow] = await t.hub
      .sql`SELECT id, hash, details FROM audit_log WHERE process_id = ${id} AND action = 'compliance_approve' AND outcome = 'accepted'`;
    const [{ rendered }] = await t.hub
      .sql`SELECT rendered_version AS rendered FROM slack_process_messages WHERE process_id = ${id} AND audience = 'compliance'`;
    expect(decision).toMatchObject({
      audit_id: auditRow.id,
      audit_hash: auditRow.hash,
      action: 'compliance_approve',
      decided_by: { user_id: 'usr_carla_compliance', name: 'Carla Compliance', role: 'compliance_officer' },
      channel: 'slack',
      slack_user_id: 'UCARLA',
      status_before: 'compliance_review',
      status_after: 'approved',
      record_version: auditRow.details.version - 1,
      compliance_notes: notes,
      sla: { state: 'compliance_review', status: 'breached', breached: true },
      four_eyes: {
        opened_by: 'usr_alex_advisor',
        advisor_id: 'usr_alex_advisor',
        approvals_required: 1,
        distinct_deciders: true,
        chain: [
          { audit_id: auditRow.id, user_id: 'usr_carla_compliance', channel: 'slack', action: 'compliance_approve' },
        ],
      },
    });
    expect(decision.slack_message_version).toBeGreaterThan(0);
    expect(decision.slack_message_version).toBeLessThanOrEqual(rendered);
    expect(decision.sla.percent_elapsed).toBeGreaterThanOrEqual(100);
    expect(decision.sla.remaining_ms).toBeLessThan(0);
    // The record lives in the chained row itself.
    expect(auditRow.details.decision).toMatchObject({
      record_version: decision.record_version,
      sla: { state: 'compliance_review' },
    });

    const client = await t.hub.api(chris, 'GET', `/processes/${id}/decision-record`);
    expect(client.status).toBe(403);
    const [refused] = await t.hub
      .sql`SELECT outcome, error_code FROM audit_log WHERE action = 'view_decision_record' AND actor_id = 'usr_chris_client'`;
    expect(refused).toEqual({ outcome: 'refused', error_code: 'FORBIDDEN' });
    expect((await t.hub.api(admin, 'GET', '/processes/app_nope/decision-record')).status).toBe(404);
  });

  it('records the daily checkpoint once, posts it to the managers channel once, and has the jobs scheduled', async () => {
    const schedules = await t.hub.boss.getSchedules();
    expect(schedules.map((s) => [s.name, s.cron])).toEqual(
      expect.arrayContaining([
        [QUEUES.auditCheckpoint, t.hub.config.AUDIT_CHECKPOINT_CRON],
        [QUEUES.auditRetention, t.hub.config.AUDIT_RETENTION_CRON],
      ]),
    );
    await t.hub.boss.send(QUEUES.auditCheckpoint, {});
    const post = await t.slack.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === MANAGERS_CHANNEL && String(call.args.text).startsWith('Audit trail checkpoint'),
    );
    const [checkpoint] = await t.hub.sql`SELECT * FROM audit_checkpoints WHERE kind = 'daily'`;
    expect(checkpoint.head_hash).toMatch(HASH);
    expect(post.args.text).toContain(checkpoint.head_hash);
    const [head] = await t.hub.sql`SELECT hash FROM audit_log WHERE id = ${checkpoint.head_id}`;
    expect(head.hash).toBe(checkpoint.head_hash);

    // A second run the same day finds the day's checkpoint; Slack delivery posts it no second time.
    await t.hub.boss.send(QUEUES.auditCheckpoint, {});
    await eventually(
      async () => {
        const [done] = await t.hub
          .sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${QUEUES.slackAuditCheckpoint} AND state = 'completed'`;
        return done.n >= 2;
      },
      { what: 'both announcement jobs to finish' },
    );
    expect(await t.hub.sql`SELECT id FROM audit_checkpoints WHERE kind = 'daily'`).toHaveLength(1);
    expect(
      t.slack.callsTo('chat.postMessage').filter((c) => String(c.args.text).startsWith('Audit trail checkpoint')),
    ).toHaveLength(1);
    expect((await verify()).body).toMatchObject({ ok: true, checkpoints: 1 });
  });

  it('removes rows past the retention period with a signed checkpoint, and the rest still verifies', async () => {
    await t.hub.api(admin, 'PUT', '/audit/retention', { years: 6 });
    const [{ n: before }] = await t.hub.sql`SELECT count(*)::int AS n FROM audit_log`;
    const [lastOld] = await someRows(1);
    // Seven years on, everything recorded so far is past six years.
    const result = await enforceAuditRetention(
      t.hub.sql,
      t.hub.config.auditCheckpointKey,
      new Date(Date.now() + 7 * 366 * 86_400_000),
    );
    expect(result.removed).toBe(before);
    expect(result.checkpoint).toMatchObject({
      kind: 'retention',
      head_id: lastOld.id,
      head_hash: lastOld.hash,
      row_count: before,
    });
    const remaining = await t.hub.sql`SELECT action, prev_hash FROM audit_log ORDER BY id`;
    expect(remaining).toEqual([{ action: 'apply_retention', prev_hash: lastOld.hash }]);
    const report = await verify();
    expect(report.body).toMatchObject({ ok: true, rows: 1 });

    // A forged retention checkpoint (say, hiding more removed rows) fails its signature.
    await asSuperuser(
      (db) => db`UPDATE audit_checkpoints SET row_count = row_count + 5 WHERE id = ${result.checkpoint!.id}`,
    );
    expect((await verify()).body).toMatchObject({
      ok: false,
      break: { reason: 'checkpoint_signature', checkpoint_id: result.checkpoint!.id },
    });
    await asSuperuser(
      (db) => db`UPDATE audit_checkpoints SET row_count = row_count - 5 WHERE id = ${result.checkpoint!.id}`,
    );
    expect((await verify()).body.ok).toBe(true);
  });

  it('detects a rewrite of the whole chain against the checkpoint', async () => {
    for (let i = 0; i < 3; i++)
      await appendAudit(t.hub.sql, {
        process_type: 'audit',
        process_id: null,
        actor: SYSTEM_ACTOR,
        action: 'filler',
        outcome: 'accepted',
      });
    // The day's checkpoint exists already; record the next day's as the cron would tomorrow.
    const { recordDailyCheckpoint } = await import('../../db/audit-checkpoints.js');
    const { checkpoint } = await recordDailyCheckpoint(t.hub.sql, t.hub.config.auditCheckpointKey, '2099-01-01');
    for (let i = 0; i < 2; i++)
      await appendAudit(t.hub.sql, {
        process_type: 'audit',
        process_id: null,
        actor: SYSTEM_ACTOR,
        action: 'filler',
        outcome: 'accepted',
      });
    expect((await verify()).body.ok).toBe(true);

    // Change one row and recompute every hash after it, so every link holds again.
    await asSuperuser(async (db) => {
      const rows = await db`SELECT * FROM audit_log ORDER BY id`;
      let prev = rows[0].prev_hash as string;
      for (const [i, row] of rows.entries()) {
        const content = auditContentOf({ ...row, prev_hash: prev, ...(i === 1 ? { actor_name: 'Nobody' } : {}) });
        const hash = hashAuditContent(content);
        await db`UPDATE audit_log SET actor_name = ${content.actor_name}, prev_hash = ${prev}, hash = ${hash} WHERE id = ${row.id}`;
        prev = hash;
      }
    });
    const report = await verify();
    expect(report.body).toMatchObject({
      ok: false,
      break: { reason: 'checkpoint_mismatch', row_id: checkpoint.head_id },
    });
    expect(report.body.message).toContain(`does not match checkpoint ${checkpoint.id}`);
  });
});

describe('rows written before the hash chain', () => {
  it('are chained once, in id order, when the migrations run, and protected from then on', async () => {
    const database = await createTestDatabase();
    const sql = createSql(database.url);
    try {
      // A trail as it stood before the chain: rows without hashes (written past the new insert trigger).
      const legacy = postgres(database.url, { max: 1, onnotice: () => {} });
      await legacy`SET session_replication_role = replica`;
      for (const action of ['start_application', 'select_products', 'update_setting']) {
        await legacy`INSERT INTO audit_log (actor_id, actor_role, channel, action, outcome, details)
                     VALUES ('usr_ada_admin', 'admin', 'api', ${action}, 'accepted', ${legacy.json({ note: 'from before' })})`;
      }
      await legacy.end();
      await expect(
        appendAudit(sql, {
          process_type: null,
          process_id: null,
          actor: SYSTEM_ACTOR,
          action: 'too_early',
          outcome: 'accepted',
        }),
      ).rejects.toThrow(/from before the hash chain/);
      const key = 'k'.repeat(32);
      expect(await verifyAuditTrail(sql, key)).toMatchObject({
        ok: false,
        break: { row_id: 1, reason: 'not_chained' },
      });

      expect(await chainUnchainedAudit(sql)).toBe(3);
      expect(await chainUnchainedAudit(sql)).toBe(0);
      await appendAudit(sql, {
        process_type: null,
        process_id: null,
        actor: SYSTEM_ACTOR,
        action: 'after',
        outcome: 'accepted',
      });
      expect(await verifyAuditTrail(sql, key)).toMatchObject({ ok: true, rows: 4 });
      await expect(sql`UPDATE audit_log SET actor_id = 'x' WHERE id = 1`).rejects.toThrow(/append-only/);
    } finally {
      await sql.end();
      await database.drop();
    }
  });
});
