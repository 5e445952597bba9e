import { createSql } from '../../db/client.js';
import { startBoss } from '../../db/jobs.js';
import { loadConfig } from '../../runtime/config.js';
import { createLogger } from '../../runtime/logger.js';
import { runDemoSeeding } from '../../runtime/seed-demo-processes.js';

/** The demo seeding alone in a process of its own, for a test to kill halfway (the worker runs in the test). */
const config = loadConfig(process.env);
const log = createLogger(config, 'demo-seeding-child');
const sql = createSql(config.DATABASE_URL!);
const boss = await startBoss(config.DATABASE_URL!, log, { supervise: false });
await runDemoSeeding({ config, sql, boss, log, temporalAddress: config.TEMPORAL_ADDRESS!, freshFirm: true });
await boss.stop({ graceful: false });
await sql.end();
