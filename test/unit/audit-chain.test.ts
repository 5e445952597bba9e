import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  auditContentOf,
  ChainVerifier,
  checkpointSignatureHolds,
  GENESIS_HASH,
  hashAuditContent,
  signCheckpoint,
  type ChainedAuditRow,
} from '../../db/audit-chain.js';
import { loadConfig } from '../../runtime/config.js';
import { verifyAuditExport } from '../../hub/verify-audit-export.js';

function chain(n: number): ChainedAuditRow[] {
  const rows: ChainedAuditRow[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const content = auditContentOf({
      id: i * 2,
      at: new Date(Date.UTC(2026, 11, 1, 9, 0, i)),
      actor_id: 'usr_ada_admin',
      actor_role: 'admin',
      actor_name: 'Ada Admin',
      channel: 'api',
      action: 'update_setting',
      outcome: 'accepted',
      details: { after: i, before: { nested: [1, 'two'] }, amount: 1250.5 },
      prev_hash: prev,
    });
    const row = { ...content, hash: hashAuditContent(content) };
    rows.push(row);
    prev = row.hash;
  }
  return rows;
}

const lines = (rows: object[], header: object = { linked: true }, end: object | null = null) => {
  const all = [JSON.stringify({ audit_export: header }), ...rows.map((r) => JSON.stringify(r))];
  if (end !== null) all.push(JSON.stringify({ audit_export_end: end }));
  return (async function* () {
    yield* all;
  })();
};

describe('the audit hash chain', () => {
  it('hashes the RFC 8785 encoding: key order and timestamp form do not matter, content does', () => {
    const [row] = chain(1);
    const reordered = auditContentOf({
      ...row,
      at: row.at.replace('Z', '+00:00'),
      details: { amount: 1250.5, before: { nested: [1, 'two'] }, after: 1 },
    });
    expect(hashAuditContent(reordered)).toBe(row.hash);
    // RFC 8785 sorts keys and writes numbers the ECMAScript way: the digest of the canonical text, by hand.
    const canonical = JSON.stringify(
      Object.fromEntries(Object.entries(auditContentOf(row)).sort(([a], [b]) => (a < b ? -1 : 1))),
    ).replace(
      '"details":{"after":1,"before":{"nested":[1,"two"]},"amount":1250.5}',
      '"details":{"after":1,"amount":1250.5,"before":{"nested":[1,"two"]}}',
    );
    expect(createHash('sha256').update(canonical).digest('hex')).toBe(row.hash);
    expect(hashAuditContent(auditContentOf({ ...row, details: { ...row.details, after: 2 } }))).not.toBe(row.hash);
  });

  it('names the changed row and the row after a missing one', () => {
    const rows = chain(4);
    const verifier = new ChainVerifier(GENESIS_HASH);
    expect(verifier.check(rows[0])).toBeNull();
    expect(verifier.check({ ...rows[1], actor_id: 'usr_mallory' })).toMatchObject({
      row_id: rows[1].id,
      reason: 'hash_mismatch',
    });

    const gap = new ChainVerifier(GENESIS_HASH);
    gap.check(rows[0]);
    expect(gap.check(rows[2])).toMatchObject({ row_id: rows[2].id, reason: 'link_mismatch' });
    expect(gap.check(rows[2])!.message).toContain(`does not link to row ${rows[0].id}`);

    const whole = new ChainVerifier(GENESIS_HASH);
    for (const row of rows) expect(whole.check(row)).toBeNull();
    expect(whole).toMatchObject({ rows: 4, head: rows[3].hash });
  });

  it('signs checkpoints so that another key or a changed statement fails', () => {
    const statement = {
      kind: 'daily' as const,
      period: '2026-12-01',
      at: '2026-12-01T00:05:00.000Z',
      head_id: 8,
      head_hash: 'ab'.repeat(32),
      row_count: 4,
      details: {},
    };
    const signature = signCheckpoint('k'.repeat(32), statement);
    expect(checkpointSignatureHolds('k'.repeat(32), statement, signature)).toBe(true);
    expect(checkpointSignatureHolds('x'.repeat(32), statement, signature)).toBe(false);
    expect(checkpointSignatureHolds('k'.repeat(32), { ...statement, row_count: 3 }, signature)).toBe(false);
    expect(checkpointSignatureHolds('k'.repeat(32), statement, 'not hex')).toBe(false);
  });

  it('requires a checkpoint key in production, and at least 32 characters', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUDIT_CHECKPOINT_KEY is required in production/);
    expect(() => loadConfig({ AUDIT_CHECKPOINT_KEY: 'short' })).toThrow(
      /AUDIT_CHECKPOINT_KEY=.*at least 32 characters/,
    );
    expect(loadConfig({ NODE_ENV: 'production', AUDIT_CHECKPOINT_KEY: 'k'.repeat(32) }).auditCheckpointKey).toBe(
      'k'.repeat(32),
    );
  });
});

describe('offline verification of an export', () => {
  it('accepts a whole period and refuses a reordered, cut-off or recounted one', async () => {
    const rows = chain(3);
    expect(await verifyAuditExport(lines(rows, { linked: true }, { rows: 3, last_hash: rows[2].hash }))).toMatchObject({
      ok: true,
      message: `3 rows verified, head ${rows[2].hash}`,
    });
    expect(
      await verifyAuditExport(
        lines([rows[0], rows[2], rows[1]], { linked: true }, { rows: 3, last_hash: rows[1].hash }),
      ),
    ).toMatchObject({
      ok: false,
      line: 3,
      row_id: rows[2].id,
    });
    expect(await verifyAuditExport(lines(rows))).toMatchObject({
      ok: false,
      message: 'the export has no end line: it was cut off',
    });
    expect(
      await verifyAuditExport(lines(rows.slice(0, 2), { linked: true }, { rows: 3, last_hash: rows[2].hash })),
    ).toMatchObject({ ok: false });
  });

  it("checks each row alone in one process's export, where rows are not neighbours", async () => {
    const rows = chain(3);
    expect(
      await verifyAuditExport(lines([rows[0], rows[2]], { linked: false }, { rows: 2, last_hash: rows[2].hash })),
    ).toMatchObject({ ok: true });
    const changed = { ...rows[2], outcome: 'refused' };
    expect(
      await verifyAuditExport(lines([rows[0], changed], { linked: false }, { rows: 2, last_hash: rows[2].hash })),
    ).toMatchObject({
      ok: false,
      row_id: rows[2].id,
    });
  });
});
