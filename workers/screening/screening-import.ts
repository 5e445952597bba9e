import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import type { Sql } from '../../db/client.js';
import { replaceScreeningList, type ScreeningEntry } from '../../db/screening.js';
import type { ScreeningList } from '../../workflows/client-onboarding/definitions.js';

/**
 * Imports a screening list from a CSV file, parsed by csv-parse. Two layouts are taken, told apart by the
 * first line:
 * - the US Treasury SDN list (sdn.csv): no header, 12 columns `ent_num,SDN_Name,SDN_Type,Program,Title,
 *   Call_Sign,Vess_type,Tonnage,GRT,Vess_flag,Vess_owner,Remarks`, "-0-" for an empty field;
 * - the hub's PEP list: header `id,name,country,position`, one politically exposed person a row.
 * Every line is checked; any problem is reported with its line and nothing is imported. A good file replaces
 * its list as a whole, so importing the same file again changes nothing.
 */

export const PEP_CSV_HEADER = ['id', 'name', 'country', 'position'] as const;
const SDN_COLUMNS = 12;
const SDN_EMPTY = '-0-';
const MAX_REPORTED = 50;

export interface ScreeningFileProblem {
  line: number;
  message: string;
}

export class ScreeningFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ScreeningFileProblem[],
  ) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was imported`);
    this.name = 'ScreeningFileError';
  }
}

export interface ScreeningImportSummary {
  file: string;
  list: ScreeningList;
  entries: number;
  replaced: number;
}

type Row = { record: string[]; info: { lines: number } };

const sdnValue = (field: string | undefined) => {
  const value = (field ?? '').trim();
  return value === '' || value === SDN_EMPTY ? null : value;
};

/** The entries of a file, or every problem in it, each with its line. */
export function parseScreeningFile(
  text: string,
): { list: ScreeningList; entries: Omit<ScreeningEntry, 'list'>[] } | { problems: ScreeningFileProblem[] } {
  let rows: Row[];
  try {
    rows = parse(text.replace(/^\uFEFF/, ''), {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as unknown as Row[];
  } catch (error) {
    if (error instanceof CsvError)
      return { problems: [{ line: (error as CsvError & { lines?: number }).lines ?? 1, message: error.message }] };
    throw error;
  }
  if (!rows.length) return { problems: [{ line: 1, message: 'the file is empty' }] };
  const first = rows[0].record.map((f) => f.toLowerCase());
  const isPep = PEP_CSV_HEADER.every((column, i) => first[i] === column) && first.length === PEP_CSV_HEADER.length;
  const problems: ScreeningFileProblem[] = [];
  const entries: Omit<ScreeningEntry, 'list'>[] = [];
  const seen = new Map<string, number>();
  const problem = (line: number, message: string) => {
    if (problems.length < MAX_REPORTED) problems.push({ line, message });
  };

  for (const { record, info } of isPep ? rows.slice(1) : rows) {
    const line = info.lines;
    if (isPep) {
      if (record.length !== PEP_CSV_HEADER.length) {
        problem(line, `expected ${PEP_CSV_HEADER.length} fields (${PEP_CSV_HEADER.join(',')}), found ${record.length}`);
        continue;
      }
      const [id, name, country, position] = record;
      if (!id) problem(line, 'id is empty');
      else if (!name) problem(line, 'name is empty');
      else if (!/^[A-Za-z]{2}$/.test(country)) problem(line, `country "${country}" is not a two-letter ISO code`);
      else if (seen.has(id)) problem(line, `id ${id} is on line ${seen.get(id)} already`);
      else {
        seen.set(id, line);
        entries.push({
          entry_id: id,
          name,
          entry_type: 'individual',
          program: `${country.toUpperCase()} ${position}`.trim(),
        });
      }
      continue;
    }
    if (record.length !== SDN_COLUMNS) {
      problem(line, `expected the ${SDN_COLUMNS} columns of the SDN layout, found ${record.length}`);
      continue;
    }
    const [entNum, name, type, program] = record;
    if (!/^\d+$/.test(entNum)) problem(line, `ent_num "${entNum}" is not a number`);
    else if (!sdnValue(name)) problem(line, 'SDN_Name is empty');
    else if (seen.has(entNum)) problem(line, `ent_num ${entNum} is on line ${seen.get(entNum)} already`);
    else {
      seen.set(entNum, line);
      entries.push({ entry_id: entNum, name: name.trim(), entry_type: sdnValue(type), program: sdnValue(program) });
    }
  }
  if (problems.length) return { problems };
  return { list: isPep ? 'pep' : 'sanctions', entries };
}

export async function importScreeningFile(sql: Sql, file: string): Promise<ScreeningImportSummary> {
  const parsed = parseScreeningFile(readFileSync(file, 'utf8'));
  if ('problems' in parsed) throw new ScreeningFileError(file, parsed.problems);
  const { before } = await replaceScreeningList(sql, parsed.list, parsed.entries, path.basename(file));
  return { file, list: parsed.list, entries: parsed.entries.length, replaced: before };
}
