import { existsSync } from 'node:fs';
import { createSql } from '../db/client.js';
import { importScreeningFiles, PEP_CSV_HEADER, ScreeningFileError } from '../workers/screening/screening-import.js';
import { databaseUrlOf } from './addresses.js';
import { loadConfigOrExit, type HubConfig } from './config.js';

/** `npm run screening:import <file.csv>…`: a sanctions (SDN, with its ALT file) or PEP list replaces its kind. */

const USAGE = `usage: npm run screening:import <file.csv> [<file.csv>…]

Three layouts, told apart by the first line:
  the US Treasury SDN list (sdn.csv), no header, 12 columns:
    36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0-
  its alternate names (alt.csv), no header, 5 columns, given with the SDN file:
    36,12,"aka","AERO-CARIBBEAN",-0-
  a PEP list with the header "${PEP_CSV_HEADER.join(',')}":
    pep_0001,Maria Lopez,ES,Minister of Finance
A file replaces the whole list of its kind; a bad line names file and line, and nothing is imported.`;

const files = process.argv.slice(2);
if (!files.length || files.includes('--help') || files.includes('-h')) {
  console.log(USAGE);
  process.exit(files.length ? 0 : 2);
}
const missing = files.filter((file) => !existsSync(file));
if (missing.length) {
  for (const file of missing) console.error(`${file}: no such file`);
  process.exit(2);
}

const config: HubConfig = loadConfigOrExit();
const databaseUrl = databaseUrlOf(config);
const sql = createSql(databaseUrl, { max: 2, applicationName: 'ops-hub-screening-import' });
let exitCode = 0;
try {
  for (const summary of await importScreeningFiles(sql, files))
    console.log(
      `Imported ${summary.files.join(' and ')}: ${summary.entries} ${summary.list} list entries` +
        `${summary.aliases ? ` with ${summary.aliases} alternate names` : ''} (replacing ${summary.replaced}); ` +
        'onboardings screened from now on use them',
    );
} catch (error) {
  exitCode = 1;
  if (error instanceof ScreeningFileError) {
    for (const p of error.problems) console.error(`${p.file}:${p.line}: ${p.message}`);
    console.error(error.message);
  } else if ((error as { code?: string }).code === 'ECONNREFUSED') {
    console.error(
      `cannot reach PostgreSQL at ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}: start the hub first (npm start)`,
    );
  } else {
    console.error(error);
  }
} finally {
  await sql.end({ timeout: 5 });
}
process.exit(exitCode);
