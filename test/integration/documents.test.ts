import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  driveTo,
  expectError,
  expectOk,
  FUNDING_BODY,
  loginAll,
  openApplication,
  type Login,
} from '../support/account-opening.js';
import {
  docxFile,
  HTML_FILE,
  pdfFile,
  PNG_FILE,
  sha256,
  streamDocument,
  uploadDocument,
} from '../support/document-files.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { startTestS3Server, type TestS3Server } from '../support/s3-server.js';

const EDD_FUNDING = { ...FUNDING_BODY, initial_investment_amount: 300_000 };

/** Every stored object's key, whichever backend holds them. */
type ObjectLister = () => Promise<string[]>;

describe.each(['folder', 's3'] as const)('documents stored in the %s backend', (backend) => {
  let hub: TestHub;
  let tokens: Record<Login, string>;
  let s3: TestS3Server | undefined;
  let dataDir: string;
  let storedObjects: ObjectLister;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'hub-documents-'));
    s3 = backend === 's3' ? await startTestS3Server() : undefined;
    hub = await startTestHub({ env: { HUB_DATA_DIR: dataDir, ...s3?.env } });
    tokens = await loginAll(hub);
    if (s3) {
      const client = new S3Client({
        endpoint: s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
      storedObjects = async () =>
        ((await client.send(new ListObjectsV2Command({ Bucket: s3!.bucket }))).Contents ?? [])
          .map((o) => o.Key!)
          .sort();
    } else {
      const root = path.join(dataDir, 'documents');
      const walk = (dir: string): string[] =>
        existsSync(dir)
          ? readdirSync(dir).flatMap((name) =>
              statSync(path.join(dir, name)).isDirectory()
                ? walk(path.join(dir, name))
                : [path.relative(root, path.join(dir, name))],
            )
          : [];
      storedObjects = async () => walk(root).sort();
    }
  });
  afterAll(async () => {
    await hub?.stop();
    await s3?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const documentAudit = (subjectId: string) =>
    hub.sql`SELECT action, outcome, actor_id, error_code, details FROM audit_log WHERE process_id = ${subjectId} AND action LIKE '%document%' ORDER BY id`;

  it('an application above the EDD threshold is approved only once its source-of-funds evidence is accepted', async () => {
    const id = await openApplication(hub, tokens.alex);
    await driveTo(hub, tokens.alex, id, 'compliance_review', { funding: EDD_FUNDING });

    const refused = await hub.api(tokens.carla, 'POST', `/applications/${id}/approve`, {});
    expectError(refused, 400, 'COMPLIANCE_REVIEW_REQUIRED');
    expect(refused.body.error.details).toEqual({ required_document: 'source_of_funds_evidence' });

    const bytes = pdfFile('Sale of property, completion statement');
    const uploaded = await uploadDocument(hub, tokens.alex, `/processes/${id}`, {
      kind: 'source_of_funds_evidence',
      title: 'Completion statement',
      fileName: 'completion statement.pdf',
      bytes,
    });
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    expect(uploaded.body).toMatchObject({
      kind: 'source_of_funds_evidence',
      latest: {
        version: 1,
        media_type: 'application/pdf',
        size_bytes: bytes.length,
        sha256: sha256(bytes),
        review_status: 'pending',
        client_visible: false,
      },
    });
    const documentId = uploaded.body.document_id as string;
    expect(await storedObjects()).toHaveLength(1);

    // Pending evidence is not enough.
    expectError(
      await hub.api(tokens.carla, 'POST', `/applications/${id}/approve`, {}),
      400,
      'COMPLIANCE_REVIEW_REQUIRED',
    );
    const listed = expectOk(await hub.api(tokens.carla, 'GET', `/processes/${id}/documents`));
    expect(listed).toMatchObject({
      may_review: true,
      requirements: [{ kind: 'source_of_funds_evidence', command: 'compliance_approve', met: false }],
    });

    // Compliance previews it: the same bytes, typed from the content, never sniffed, audited with the version.
    const preview = await fetch(`${hub.url}/api/documents/${documentId}/versions/1/content?disposition=inline`, {
      headers: { authorization: `Bearer ${tokens.carla}` },
    });
    expect(preview.status).toBe(200);
    expect(Buffer.from(await preview.arrayBuffer()).equals(bytes)).toBe(true);
    expect(preview.headers.get('content-type')).toBe('application/pdf');
    expect(preview.headers.get('x-content-type-options')).toBe('nosniff');
    expect(preview.headers.get('content-disposition')).toBe(
      `inline; filename="completion_statement.pdf"; filename*=UTF-8''completion%20statement.pdf`,
    );

    // The advisor who uploaded it may not review it, and nobody but compliance may.
    expectError(
      await hub.api(tokens.alex, 'POST', `/documents/${documentId}/versions/1/review`, { decision: 'accepted' }),
      403,
      'FORBIDDEN',
    );
    expectError(
      await hub.api(tokens.carla, 'POST', `/documents/${documentId}/versions/1/review`, { decision: 'rejected' }),
      400,
      'VALIDATION_FAILED',
    );
    const accepted = expectOk(
      await hub.api(tokens.carla, 'POST', `/documents/${documentId}/versions/1/review`, { decision: 'accepted' }),
    );
    expect(accepted.latest).toMatchObject({ review_status: 'accepted', reviewed_by_name: 'Carla Compliance' });
    expectError(
      await hub.api(tokens.colin, 'POST', `/documents/${documentId}/versions/1/review`, {
        decision: 'rejected',
        reason: 'late',
      }),
      409,
      'CONFLICT',
    );

    expect(expectOk(await hub.api(tokens.carla, 'POST', `/applications/${id}/approve`, {})).status).toBe(
      'compliance_review',
    );
    expect(['approved', 'account_created']).toContain(
      expectOk(await hub.api(tokens.colin, 'POST', `/applications/${id}/approve`, {})).status,
    );

    // Each decision keeps the evidence as it stood when it was taken.
    const record = expectOk(await hub.api(tokens.carla, 'GET', `/processes/${id}/decision-record`));
    expect(record.decisions.map((d: { documents: unknown[] }) => d.documents)).toEqual([
      [
        expect.objectContaining({
          document_id: documentId,
          kind: 'source_of_funds_evidence',
          version: 1,
          review_status: 'accepted',
        }),
      ],
      [
        expect.objectContaining({
          document_id: documentId,
          kind: 'source_of_funds_evidence',
          version: 1,
          review_status: 'accepted',
        }),
      ],
    ]);

    const audit = await documentAudit(id);
    expect(audit.map((a) => [a.action, a.outcome, a.actor_id, a.error_code])).toEqual([
      ['upload_document', 'accepted', 'usr_alex_advisor', null],
      ['preview_document', 'accepted', 'usr_carla_compliance', null],
      ['review_document', 'refused', 'usr_alex_advisor', 'FORBIDDEN'],
      ['review_document', 'refused', 'usr_carla_compliance', 'VALIDATION_FAILED'],
      ['review_document', 'accepted', 'usr_carla_compliance', null],
      ['review_document', 'refused', 'usr_colin_compliance', 'CONFLICT'],
    ]);
    expect(audit[1].details).toMatchObject({ document_id: documentId, version: 1 });
    const refusals =
      await hub.sql`SELECT error_code FROM audit_log WHERE process_id = ${id} AND action = 'compliance_approve' AND outcome = 'refused'`;
    expect(refusals.map((r) => r.error_code)).toEqual(['COMPLIANCE_REVIEW_REQUIRED', 'COMPLIANCE_REVIEW_REQUIRED']);
    const events =
      await hub.sql`SELECT type, payload FROM events WHERE process_id = ${id} AND type LIKE 'document.%' ORDER BY sequence`;
    expect(events.map((e) => [e.type, e.payload.decision ?? null])).toEqual([
      ['document.uploaded', null],
      ['document.reviewed', 'accepted'],
    ]);

    // A new upload of the same kind is version 2; version 1 stays as it was, and cannot be changed.
    const second = await uploadDocument(hub, tokens.alex, `/processes/${id}`, {
      kind: 'source_of_funds_evidence',
      title: 'Bank letter',
      fileName: 'letter.png',
      bytes: PNG_FILE,
    });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({
      document_id: documentId,
      latest: { version: 2, media_type: 'image/png', review_status: 'pending' },
    });
    const all = expectOk(await hub.api(tokens.ops, 'GET', `/processes/${id}/documents`));
    expect(
      all.documents[0].versions.map((v: { version: number; review_status: string }) => [v.version, v.review_status]),
    ).toEqual([
      [2, 'pending'],
      [1, 'accepted'],
    ]);
    await expect(
      hub.sql`UPDATE document_versions SET sha256 = ${'0'.repeat(64)} WHERE document_id = ${documentId} AND version = 1`,
    ).rejects.toThrow(/immutable/);
    await expect(hub.sql`DELETE FROM document_versions WHERE document_id = ${documentId}`).rejects.toThrow(/kept/);
    expect(await storedObjects()).toHaveLength(2);
  });

  it('a client sees only what is meant for them; others see nothing of it', async () => {
    const id = await openApplication(hub, tokens.alex);
    const internal = await uploadDocument(hub, tokens.alex, `/processes/${id}`, {
      kind: 'other',
      title: 'Advisor call memo',
      fileName: 'memo.pdf',
      bytes: pdfFile('memo'),
    });
    const shared = await uploadDocument(hub, tokens.alex, `/processes/${id}`, {
      kind: 'mandate',
      title: 'Mandate to sign',
      fileName: 'mandate.docx',
      bytes: docxFile(),
      clientVisible: true,
    });
    expect([internal.status, shared.status]).toEqual([201, 201]);
    expect(shared.body.latest.media_type).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );

    const seen = expectOk(await hub.api(tokens.chris, 'GET', `/processes/${id}/documents`));
    expect(seen.documents.map((d: { title: string; latest: { title: string } }) => d.latest.title)).toEqual([
      'Mandate to sign',
    ]);
    expectError(
      await hub.api(tokens.chris, 'GET', `/documents/${internal.body.document_id}/content`),
      404,
      'DOCUMENT_NOT_FOUND',
    );
    const download = await fetch(`${hub.url}/api/documents/${shared.body.document_id}/content?disposition=inline`, {
      headers: { authorization: `Bearer ${tokens.chris}` },
    });
    expect(download.status).toBe(200);
    // Office files are never shown inline.
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="mandate\.docx"/);
    await download.arrayBuffer();

    // Another client, and an advisor who is not this client's, see nothing and may add nothing.
    expectError(await hub.api(tokens.fiona, 'GET', `/processes/${id}/documents`), 403, 'FORBIDDEN');
    expectError(await hub.api(tokens.beth, 'GET', `/documents/${shared.body.document_id}/content`), 403, 'FORBIDDEN');
    const intruder = await uploadDocument(hub, tokens.fiona, `/processes/${id}`, {
      kind: 'other',
      title: 'x',
      fileName: 'x.pdf',
      bytes: pdfFile(),
    });
    expect(intruder.status).toBe(403);
    // Ops read but add nothing.
    expect(
      (
        await uploadDocument(hub, tokens.ops, `/processes/${id}`, {
          kind: 'other',
          title: 'x',
          fileName: 'x.pdf',
          bytes: pdfFile(),
        })
      ).status,
    ).toBe(403);

    // A client's own upload to their client file is theirs to see; their advisor sees it too.
    const own = await uploadDocument(hub, tokens.chris, '/clients/cli_chris_carter', {
      kind: 'proof_of_address',
      title: 'Utility bill',
      fileName: 'bill.png',
      bytes: PNG_FILE,
    });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    expect(own.body.latest.client_visible).toBe(true);
    expect(expectOk(await hub.api(tokens.alex, 'GET', '/clients/cli_chris_carter/documents')).documents).toHaveLength(
      1,
    );
    expectError(await hub.api(tokens.fiona, 'GET', '/clients/cli_chris_carter/documents'), 403, 'FORBIDDEN');

    const audit =
      await hub.sql`SELECT action, outcome, actor_id, error_code FROM audit_log WHERE action LIKE '%document%' AND actor_id IN ('usr_chris_client', 'usr_fiona_client', 'usr_beth_advisor', 'usr_omar_ops') ORDER BY id`;
    expect(audit.map((a) => [a.action, a.outcome, a.actor_id, a.error_code])).toEqual([
      ['download_document', 'refused', 'usr_chris_client', 'DOCUMENT_NOT_FOUND'],
      // Asked inline, an office file is sent as an attachment and audited as a download.
      ['download_document', 'accepted', 'usr_chris_client', null],
      ['list_documents', 'refused', 'usr_fiona_client', 'FORBIDDEN'],
      ['download_document', 'refused', 'usr_beth_advisor', 'FORBIDDEN'],
      ['upload_document', 'refused', 'usr_fiona_client', 'FORBIDDEN'],
      ['upload_document', 'refused', 'usr_omar_ops', 'FORBIDDEN'],
      ['upload_document', 'accepted', 'usr_chris_client', null],
      ['list_documents', 'refused', 'usr_fiona_client', 'FORBIDDEN'],
    ]);
  });

  it('bad files get a clear 400 or 413 and store nothing', async () => {
    const id = await openApplication(hub, tokens.alex);
    const before = await storedObjects();
    const [{ count: versionsBefore }] = await hub.sql`SELECT count(*)::int AS count FROM document_versions`;
    const upload = (fileName: string, bytes: Buffer) =>
      uploadDocument(hub, tokens.alex, `/processes/${id}`, {
        kind: 'identity_document',
        title: 'Passport',
        fileName,
        bytes,
      });

    const html = await upload('passport.pdf', HTML_FILE);
    expectError(html, 400, 'VALIDATION_FAILED');
    expect(html.body.error.message).toMatch(
      /^file: passport\.pdf is not a type the hub recognises; upload a PDF, PNG, JPEG/,
    );
    const zip = await upload('passport.pdf', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200)]));
    expectError(zip, 400, 'VALIDATION_FAILED');
    const empty = await upload('passport.pdf', Buffer.alloc(0));
    expectError(empty, 400, 'VALIDATION_FAILED');
    expect(empty.body.error.message).toBe('file: passport.pdf is empty');
    expectError(
      await uploadDocument(hub, tokens.alex, `/processes/${id}`, {
        kind: 'horoscope',
        title: 'x',
        fileName: 'x.pdf',
        bytes: pdfFile(),
      }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await uploadDocument(hub, tokens.alex, `/processes/${id}`, {
        kind: 'other',
        title: ' ',
        fileName: 'x.pdf',
        bytes: pdfFile(),
      }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await hub.api(tokens.alex, 'POST', `/processes/${id}/documents`, { kind: 'other' }),
      400,
      'VALIDATION_FAILED',
    );

    // The size limit is a setting; over it, declared or streamed, the answer is 413.
    await hub.sql`UPDATE settings SET value = '100000' WHERE key = 'document_max_bytes'`;
    try {
      const big = pdfFile('large', 150_000);
      expectError(await upload('big.pdf', big), 413, 'PAYLOAD_TOO_LARGE');
      const streamed = await streamDocument(hub, tokens.alex, `/processes/${id}`, {
        kind: 'identity_document',
        title: 'Passport',
        fileName: 'big.pdf',
        bytes: big,
      });
      expectError(streamed, 413, 'PAYLOAD_TOO_LARGE');
      expect(streamed.body.error.details).toEqual({ field: 'file', max_bytes: 100_000 });
      // Just under the limit, streamed, is fine: the limit is on the file, not the request.
      const fits = await streamDocument(hub, tokens.alex, `/processes/${id}`, {
        kind: 'identity_document',
        title: 'Passport',
        fileName: 'ok.pdf',
        bytes: pdfFile('fits', 99_000),
      });
      expect(fits.status, JSON.stringify(fits.body)).toBe(201);
      expect(fits.body.latest.size_bytes).toBeGreaterThan(98_000);
    } finally {
      await hub.sql`UPDATE settings SET value = '26214400' WHERE key = 'document_max_bytes'`;
    }
    const [{ count: versionsAfter }] = await hub.sql`SELECT count(*)::int AS count FROM document_versions`;
    expect(versionsAfter).toBe(versionsBefore + 1);
    expect((await storedObjects()).filter((key) => !before.includes(key))).toHaveLength(1);
    const refused =
      await hub.sql`SELECT error_code FROM audit_log WHERE process_id = ${id} AND action = 'upload_document' AND outcome = 'refused' ORDER BY id`;
    expect(refused.map((r) => r.error_code)).toEqual([
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
      'PAYLOAD_TOO_LARGE',
      'PAYLOAD_TOO_LARGE',
    ]);
  });

  it('nothing is deleted within the retention period; after it, deletion is an audited administrator action', async () => {
    const id = await openApplication(hub, tokens.alex);
    const kept = await uploadDocument(hub, tokens.alex, `/processes/${id}`, {
      kind: 'other',
      title: 'Kept',
      fileName: 'kept.pdf',
      bytes: pdfFile(),
    });
    expect(new Date(kept.body.latest.retain_until).getUTCFullYear()).toBe(new Date().getUTCFullYear() + 6);
    const refused = await hub.api(tokens.admin, 'DELETE', `/documents/${kept.body.document_id}/versions/1`, {
      reason: 'tidy up',
    });
    expectError(refused, 409, 'RETENTION_PERIOD_ACTIVE');
    await expect(
      hub.sql`UPDATE document_versions SET deleted_at = now() WHERE document_id = ${kept.body.document_id}`,
    ).rejects.toThrow(/retention/);

    await hub.sql`UPDATE settings SET value = '0' WHERE key = 'document_retention_years'`;
    try {
      const expired = await uploadDocument(hub, tokens.alex, `/processes/${id}`, {
        kind: 'proof_of_address',
        title: 'Old bill',
        fileName: 'bill.pdf',
        bytes: pdfFile(),
      });
      const objects = await storedObjects();
      expectError(
        await hub.api(tokens.carla, 'DELETE', `/documents/${expired.body.document_id}/versions/1`, {
          reason: 'expired',
        }),
        403,
        'FORBIDDEN',
      );
      const deleted = expectOk(
        await hub.api(tokens.admin, 'DELETE', `/documents/${expired.body.document_id}/versions/1`, {
          reason: 'retention period over',
        }),
      );
      expect(deleted.latest).toMatchObject({ version: 1, deleted: true, previewable: false });
      expect(await storedObjects()).toHaveLength(objects.length - 1);
      expectError(
        await hub.api(tokens.admin, 'GET', `/documents/${expired.body.document_id}/content`),
        404,
        'DOCUMENT_NOT_FOUND',
      );
    } finally {
      await hub.sql`UPDATE settings SET value = '6' WHERE key = 'document_retention_years'`;
    }
    const audit = await documentAudit(id);
    expect(
      audit.filter((a) => a.action === 'delete_document').map((a) => [a.outcome, a.actor_id, a.error_code]),
    ).toEqual([
      ['refused', 'usr_ada_admin', 'RETENTION_PERIOD_ACTIVE'],
      ['refused', 'usr_carla_compliance', 'FORBIDDEN'],
      ['accepted', 'usr_ada_admin', null],
    ]);
  });

  it('the signed mandate links to the application through mandate_document_id', async () => {
    const id = await openApplication(hub, tokens.alex);
    await driveTo(hub, tokens.alex, id, 'terms_review');
    const evidence = await uploadDocument(hub, tokens.alex, `/processes/${id}`, {
      kind: 'source_of_funds_evidence',
      title: 'Payslip',
      fileName: 'p.pdf',
      bytes: pdfFile(),
    });
    const mandate = await uploadDocument(hub, tokens.alex, `/processes/${id}`, {
      kind: 'mandate',
      title: 'Signed mandate',
      fileName: 'm.pdf',
      bytes: pdfFile('signed'),
    });
    const wrong = await hub.api(tokens.alex, 'POST', `/applications/${id}/terms`, {
      terms_accepted: true,
      mandate_document_id: evidence.body.document_id,
    });
    expectError(wrong, 400, 'VALIDATION_FAILED');
    expect(wrong.body.error.details.field).toBe('mandate_document_id');
    const accepted = expectOk(
      await hub.api(tokens.alex, 'POST', `/applications/${id}/terms`, {
        terms_accepted: true,
        mandate_document_id: mandate.body.document_id,
      }),
    );
    expect(accepted).toMatchObject({ status: 'funding', mandate_document_id: mandate.body.document_id });
  });
});
