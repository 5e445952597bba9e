import { randomBytes } from 'node:crypto';
import { QUEUES } from '../db/jobs.js';
import { storeNotifications } from '../db/notifications.js';
import type { NotificationJob } from '../db/transitions.js';
import { recipientUserIds } from '../workers/jobs/deliver-notifications.js';
import type { Benchmark } from './support/benchmark.js';

const JOBS = Number(process.env.BENCH_NOTIFICATION_JOBS ?? 1000);
const CONCURRENCY = 8;

const job = (run: string, n: number): NotificationJob => ({
  process_type: 'account_opening',
  process_id: `bench-${run}`,
  version: n,
  action: 'bench',
  notifications: [
    {
      to: [{ role: 'compliance_officer' }],
      kind: 'bench',
      title: `Bench ${n}`,
      body: 'A notification for every compliance officer',
    },
  ],
});

async function inParallel(count: number, work: (n: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

const benchmark: Benchmark = {
  name: 'notification-jobs',
  description: `${JOBS} notification jobs (each for every compliance officer) sent through pg-boss and delivered by the worker, against storing the same notifications directly (baseline: the database work alone).`,
  async run({ hub: startHub }) {
    const hub = await startHub();
    const officers = (await recipientUserIds(hub.sql, [{ role: 'compliance_officer' }])).length;
    const stored = async (run: string) =>
      (await hub.sql`SELECT count(*)::int AS n FROM notifications WHERE process_id = ${`bench-${run}`}`)[0].n as number;

    const direct = randomBytes(4).toString('hex');
    let started = performance.now();
    await inParallel(JOBS, async (n) => {
      const { notifications, process_id, version } = job(direct, n);
      const userIds = await recipientUserIds(hub.sql, notifications[0].to);
      await storeNotifications(
        hub.sql,
        userIds.map((user_id) => ({
          user_id,
          kind: 'bench',
          title: notifications[0].title,
          body: notifications[0].body,
          process_type: 'account_opening',
          process_id,
          dedupe_key: `${process_id}:${version}:0:${user_id}`,
        })),
      );
    });
    const directSeconds = (performance.now() - started) / 1000;

    const queued = randomBytes(4).toString('hex');
    started = performance.now();
    await inParallel(JOBS, (n) => hub.boss.send(QUEUES.deliverNotifications, job(queued, n)));
    const sentSeconds = (performance.now() - started) / 1000;
    while ((await stored(queued)) < JOBS * officers) await new Promise((resolve) => setTimeout(resolve, 50));
    const deliveredSeconds = (performance.now() - started) / 1000;

    return {
      columns: ['path', 'jobs / s', 'notifications / s', 'seconds'],
      rows: [
        [
          'stored directly (baseline)',
          Math.round(JOBS / directSeconds),
          Math.round((JOBS * officers) / directSeconds),
          directSeconds.toFixed(2),
        ],
        ['sent to pg-boss', Math.round(JOBS / sentSeconds), '', sentSeconds.toFixed(2)],
        [
          'sent and delivered by the worker',
          Math.round(JOBS / deliveredSeconds),
          Math.round((JOBS * officers) / deliveredSeconds),
          deliveredSeconds.toFixed(2),
        ],
      ],
      notes: [
        `Each job becomes ${officers} notifications (one per compliance officer), deduplicated by key and announced by NOTIFY for the bell.`,
      ],
    };
  },
};

export default benchmark;
