import path from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { createSql } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { createFirstAdministrator } from '../hub/admin-users.js';
import { HubError } from '../workflows/errors.js';
import { loadConfigOrExit } from './config.js';
import { embeddedPostgresUrl, startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres.js';
import { createLogger } from './logger.js';

/**
 * `npm run admin:create -- --email … --name …`: the first administrator of an empty hub. Prints a one-time
 * link to choose a password (72 hours), or with --password-stdin reads the password from the terminal or a
 * pipe; never from the command line, where other users and shell history could see it.
 */

const USAGE = 'usage: npm run admin:create -- --email you@firm.example --name "Your Name" [--password-stdin]';

const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    'password-stdin': { type: 'boolean', default: false },
  },
  strict: true,
});
if (!values.email || !values.name) {
  console.error(USAGE);
  process.exit(2);
}

/** A line from standard input; on a terminal, echoed to nowhere so it is not shown. */
async function readPassword(): Promise<string> {
  const input = process.stdin;
  if (input.isTTY) process.stderr.write('Password (not shown): ');
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input, output: muted, terminal: Boolean(input.isTTY) });
  const line = await new Promise<string>((resolve) => rl.once('line', resolve).once('close', () => resolve('')));
  rl.close();
  if (input.isTTY) process.stderr.write('\n');
  return line;
}

async function reachable(url: string): Promise<boolean> {
  const probe = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 2 });
  try {
    await probe`SELECT 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 });
  }
}

const config = loadConfigOrExit();
const log = createLogger(
  { ...config, LOG_LEVEL: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL },
  'admin-create',
);
let embedded: RunningPostgres | undefined;
let exitCode = 0;
try {
  const password = values['password-stdin'] ? await readPassword() : undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    // Beside a running `npm start`, use its database; otherwise start the same embedded one for a moment.
    databaseUrl = embeddedPostgresUrl(config.EMBEDDED_POSTGRES_PORT, 'hub');
    if (!(await reachable(databaseUrl))) {
      embedded = await startEmbeddedPostgres({
        dataDir: path.join(config.HUB_DATA_DIR, 'postgres'),
        port: config.EMBEDDED_POSTGRES_PORT,
        database: 'hub',
        log,
      });
    }
  }
  await migrate(databaseUrl, log);
  const sql = createSql(databaseUrl, { max: 1, applicationName: 'ops-hub-admin-create' });
  try {
    const created = await createFirstAdministrator(sql, {
      email: values.email,
      name: values.name,
      password,
      publicUrl: config.publicUrl,
    });
    console.log(`Created administrator ${created.user.name} <${created.user.email}> (${created.user.id}).`);
    if (created.link) {
      console.log(
        `Open this link within 72 hours to choose a password and sign in (it works once):\n\n  ${created.link}\n`,
      );
    } else {
      console.log(`Sign in at ${config.publicUrl} with that e-mail and password.`);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
} catch (error) {
  exitCode = 1;
  if (error instanceof HubError) console.error(error.message);
  else log.fatal({ err: error }, 'could not create the administrator');
} finally {
  await embedded?.stop();
}
process.exit(exitCode);
