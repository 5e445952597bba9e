import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { createOnboardingActivities } from '../../workers/activities/client-onboarding.js';
import { importScreeningFiles, ScreeningFileError } from '../../workers/screening/screening-import.js';
import { createTestDatabase } from '../support/hub.js';

const fixture = (name: string) => path.resolve('test/fixtures/screening', name);

describe('screening lists: the SDN list with its alternate names, on real PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: Sql;
  beforeAll(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: 2, onnotice: () => {} }) as unknown as Sql;
  });
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  const importError = (files: string[]) =>
    importScreeningFiles(sql, files).then(
      () => expect.unreachable('the import should have been refused'),
      (error: unknown) => {
        expect(error).toBeInstanceOf(ScreeningFileError);
        return (error as ScreeningFileError).problems;
      },
    );
  const names = async () =>
    (await sql`SELECT entry_id, name, alias_type, program FROM screening_entries ORDER BY entry_id, name`).map((r) => ({
      ...r,
    }));

  it('imports an a.k.a. under its listed party, so a client named by the alias is a hit on the party', async () => {
    const [summary] = await importScreeningFiles(sql, [fixture('sdn.csv'), fixture('alt.csv')]);
    expect(summary).toMatchObject({ list: 'sanctions', entries: 3, aliases: 3, replaced: 0 });
    expect(await names()).toContainEqual({
      entry_id: '17310',
      name: 'KOZLOV, Dima',
      alias_type: 'aka',
      program: 'RUSSIA-EO14024',
    });

    const { screenNames } = createOnboardingActivities({ sql });
    // "Dima Kozlov" is not like the listed name "KOZLOV, Dmitri Anatolyevich", only like its alias.
    const byAlias = await screenNames({ onboarding_id: 'onb_test', names: ['Dima Kozlov'] });
    expect(byAlias.matches).toEqual([
      {
        list: 'sanctions',
        entry_id: '17310',
        listed_name: 'KOZLOV, Dmitri Anatolyevich',
        listed_alias: 'KOZLOV, Dima',
        matched_name: 'Dima Kozlov',
        score: 100,
        program: 'RUSSIA-EO14024',
      },
    ]);
    // A party matched by its listed name and an alias is one hit, on the listed name.
    const both = await screenNames({ onboarding_id: 'onb_test', names: ['Ivan Petrov', 'Aero Caribbean'] });
    expect(both.matches.map((m) => [m.entry_id, m.listed_alias])).toEqual([
      ['36', 'AERO-CARIBBEAN'],
      ['9647', null],
    ]);
  });

  it('refuses an alias of a party the SDN file does not list, or an ALT file on its own, and keeps the lists', async () => {
    const before = await names();
    expect(await importError([fixture('sdn.csv'), fixture('alt-bad.csv')])).toEqual([
      { file: fixture('alt-bad.csv'), line: 2, message: `ent_num 99999 is not in ${fixture('sdn.csv')}` },
    ]);
    expect(await importError([fixture('alt.csv')])).toEqual([
      expect.objectContaining({ file: fixture('alt.csv'), line: 1, message: expect.stringContaining('SDN file') }),
    ]);
    expect(await names()).toEqual(before);
  });
});
