import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import type { Sql } from '../../db/client.js';
import { replaceScreeningLists, type ScreeningEntry } from '../../db/screening.js';
import type { ScreeningList } from '../../workflows/client-onboarding/definitions.js';

/**
 * Imports screening lists from CSV files, parsed by csv-parse. Three layouts are taken, told apart by the
 * first line:
 * - the US Treasury SDN list (sdn.csv): no header, 12 columns `ent_num,SDN_Name,SDN_Type,Program,Title,
 *   Call_Sign,Vess_type,Tonnage,GRT,Vess_flag,Vess_owner,Remarks`, "-0-" for an empty field;
 * - its alternate names (alt.csv): no header, 5 columns `ent_num,alt_num,alt_type,alt_name,alt_remarks`, imported
 *   together with the SDN file whose parties they name;
 * - the hub's PEP list: header `id,name,country,position`, one politically exposed person a row.
 * Every line of every file is checked; any problem is reported with its file and line and nothing is imported.
 * Good files replace their lists as a whole, so importing the same files again changes nothing.
 */

export const PEP_CSV_HEADER = ['id', 'name', 'country', 'position'] as const;
const SDN_COLUMNS = 12;
const ALT_COLUMNS = 5;
const SDN_EMPTY = '-0-';
const MAX_REPORTED = 50;

export interface ScreeningFileProblem {
  file: string;
  line: number;
  message: string;
}

export class ScreeningFileError extends Error {
  constructor(readonly problems: ScreeningFileProblem[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was imported`);
    this.name = 'ScreeningFileError';
  }
}

export interface ScreeningImportSummary {
  list: ScreeningList;
  files: string[];
  /** Parties (or persons) on the list, and the alternate names imported with them. */
  entries: number;
  aliases: number;
  replaced: number;
}

type Entry = Omit<ScreeningEntry, 'list'>;
type Layout = 'sdn' | 'alt' | 'pep';
export type ParsedScreeningFile = { layout: Layout; list: ScreeningList; entries: (Entry & { line: number })[] };
type Row = { record: string[]; info: { lines: number } };

const sdnValue = (field: string | undefined) => {
  const value = (field ?? '').trim();
  return value === '' || value === SDN_EMPTY ? null : value;
};

function layoutOf(first: string[]): Layout {
  const header = first.map((f) => f.toLowerCase());
  if (header.length === PEP_CSV_HEADER.length && PEP_CSV_HEADER.every((column, i) => header[i] === column))
    return 'pep';
  return first.length === ALT_COLUMNS ? 'alt' : 'sdn';
}

/** One line's entry, or what is wrong with it. */
function entryOf(layout: Layout, record: string[]): Entry | string {
  if (layout === 'pep') {
    if (record.length !== PEP_CSV_HEADER.length)
      return `expected ${PEP_CSV_HEADER.length} fields (${PEP_CSV_HEADER.join(',')}), found ${record.length}`;
    const [id, name, country, position] = record;
    if (!id) return 'id is empty';
    if (!name) return 'name is empty';
    if (!/^[A-Za-z]{2}$/.test(country)) return `country "${country}" is not a two-letter ISO code`;
    const program = `${country.toUpperCase()} ${position}`.trim();
    return { entry_id: id, name, entry_type: 'individual', program, alias_type: null };
  }
  if (layout === 'alt') {
    if (record.length !== ALT_COLUMNS)
      return `expected the ${ALT_COLUMNS} columns of the SDN alternate names layout, found ${record.length}`;
    const [entNum, altNum, altType, altName] = record;
    if (!/^\d+$/.test(entNum)) return `ent_num "${entNum}" is not a number`;
    if (!/^\d+$/.test(altNum)) return `alt_num "${altNum}" is not a number`;
    if (!sdnValue(altName)) return 'alt_name is empty';
    const aliasType = sdnValue(altType)?.toLowerCase() ?? 'aka';
    return { entry_id: entNum, name: altName.trim(), entry_type: null, program: null, alias_type: aliasType };
  }
  if (record.length !== SDN_COLUMNS)
    return `expected the ${SDN_COLUMNS} columns of the SDN layout, found ${record.length}`;
  const [entNum, name, type, program] = record;
  if (!/^\d+$/.test(entNum)) return `ent_num "${entNum}" is not a number`;
  if (!sdnValue(name)) return 'SDN_Name is empty';
  return {
    entry_id: entNum,
    name: name.trim(),
    entry_type: sdnValue(type),
    program: sdnValue(program),
    alias_type: null,
  };
}

/** The Treasury's files may end with a DOS end-of-file mark (Ctrl-Z), which is no line of the list. */
const END_OF_FILE_MARK = String.fromCharCode(0x1a);
const withoutEndOfFileMark = (text: string) => {
  const end = text.trimEnd();
  return end.endsWith(END_OF_FILE_MARK) ? end.slice(0, -1) : text;
};

/** The entries of a file, or every problem in it, each with its line. */
export function parseScreeningFile(
  text: string,
): ParsedScreeningFile | { problems: Omit<ScreeningFileProblem, 'file'>[] } {
  let rows: Row[];
  try {
    rows = parse(withoutEndOfFileMark(text.replace(/^\uFEFF/, '')), {
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
  const layout = layoutOf(rows[0].record);
  const problems: Omit<ScreeningFileProblem, 'file'>[] = [];
  const entries: (Entry & { line: number })[] = [];
  // A party once in the SDN or PEP file; an alternate name once in the ALT file (by alt_num).
  const seen = new Map<string, number>();
  for (const { record, info } of layout === 'pep' ? rows.slice(1) : rows) {
    const line = info.lines;
    const entry = entryOf(layout, record);
    const key = layout === 'alt' ? record[1] : record[0];
    const idName = { sdn: 'ent_num', alt: 'alt_num', pep: 'id' }[layout];
    const problem =
      typeof entry === 'string' ? entry : seen.has(key) ? `${idName} ${key} is on line ${seen.get(key)} already` : null;
    if (problem !== null) {
      if (problems.length < MAX_REPORTED) problems.push({ line, message: problem });
      continue;
    }
    seen.set(key, line);
    entries.push({ ...(entry as Entry), line });
  }
  if (problems.length) return { problems };
  return { layout, list: layout === 'pep' ? 'pep' : 'sanctions', entries };
}

const withoutLine = ({ line: _line, ...entry }: Entry & { line: number }): Entry => entry;

/**
 * Imports the files given together: each list's file replaces that list, an ALT file's alternate names join the
 * parties of the SDN file beside it (taking their type and program). Nothing is written unless every file is good.
 */
export async function importScreeningFiles(sql: Sql, files: readonly string[]): Promise<ScreeningImportSummary[]> {
  const problems: ScreeningFileProblem[] = [];
  const parsed: (ParsedScreeningFile & { file: string })[] = [];
  for (const file of files) {
    const result = parseScreeningFile(readFileSync(file, 'utf8'));
    if ('problems' in result) problems.push(...result.problems.map((p) => ({ file, ...p })));
    else parsed.push({ file, ...result });
  }
  const of = (layout: Layout) => parsed.filter((p) => p.layout === layout);
  for (const layout of ['sdn', 'alt', 'pep'] as const)
    for (const extra of of(layout).slice(1))
      problems.push({
        file: extra.file,
        line: 1,
        message: `a second ${layout.toUpperCase()} file (${of(layout)[0].file})`,
      });
  const [sdn] = of('sdn');
  const [alt] = of('alt');
  if (alt && !sdn && !problems.some((p) => p.file === alt.file))
    problems.push({
      file: alt.file,
      line: 1,
      message: 'alternate names are imported together with their SDN file: npm run screening:import sdn.csv alt.csv',
    });
  const parties = new Map(sdn?.entries.map((e) => [e.entry_id, e]));
  const aliases: Entry[] = [];
  for (const alias of sdn ? (alt?.entries ?? []) : []) {
    const party = parties.get(alias.entry_id);
    if (!party)
      problems.push({ file: alt!.file, line: alias.line, message: `ent_num ${alias.entry_id} is not in ${sdn.file}` });
    else aliases.push({ ...withoutLine(alias), entry_type: party.entry_type, program: party.program });
  }
  if (problems.length) throw new ScreeningFileError(problems.slice(0, MAX_REPORTED));

  const lists = [sdn, of('pep')[0]].filter((p) => p !== undefined);
  const replaced = await replaceScreeningLists(
    sql,
    lists.map((p) => ({
      list: p.list,
      entries: [...p.entries.map(withoutLine), ...(p === sdn ? aliases : [])],
      sourceFile: [p, ...(p === sdn && alt ? [alt] : [])].map((f) => path.basename(f.file)).join(' + '),
    })),
  );
  return lists.map((p, i) => ({
    list: p.list,
    files: p === sdn && alt ? [p.file, alt.file] : [p.file],
    entries: p.entries.length,
    aliases: p === sdn ? aliases.length : 0,
    replaced: replaced[i].before,
  }));
}
