import { createServer, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every Prometheus metric the hub exposes, in one registry per process. Instrumented code calls the verbs
 * below; gauges that are read from elsewhere (queue depth, pool use, sockets) register a collector.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'ops_hub_' });

const commands = new Counter({
  name: 'ops_hub_commands_total',
  help: 'Commands by process type, command and outcome (accepted, refused, failed) and error code',
  labelNames: ['process_type', 'command', 'outcome', 'code'] as const,
  registers: [registry],
});

const commandSeconds = new Histogram({
  name: 'ops_hub_command_duration_seconds',
  help: 'From a command reaching the command service to its answer',
  labelNames: ['process_type', 'command'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

const transitions = new Counter({
  name: 'ops_hub_transitions_recorded_total',
  help: 'Accepted changes recorded (a retried recording of a stored version is not counted)',
  labelNames: ['process_type', 'action'] as const,
  registers: [registry],
});

const slaRungs = new Counter({
  name: 'ops_hub_sla_rungs_fired_total',
  help: 'SLA notifications raised with recorded changes, by kind (sla_warning, sla_breached, sla_escalated)',
  labelNames: ['process_type', 'kind'] as const,
  registers: [registry],
});

const jobFailures = new Counter({
  name: 'ops_hub_job_failures_total',
  help: 'pg-boss job handler runs that failed (pg-boss retries them)',
  labelNames: ['queue'] as const,
  registers: [registry],
});

const slackDeliveries = new Counter({
  name: 'ops_hub_slack_deliveries_total',
  help: 'Slack messages posted, by result (posted, already_posted, retried)',
  labelNames: ['result'] as const,
  registers: [registry],
});

const fanOutSeconds = new Histogram({
  name: 'ops_hub_fanout_duration_seconds',
  help: 'From a change being announced by PostgreSQL to its push to the connected boards',
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [registry],
});

export const metrics = {
  commandFinished(
    labels: { process_type: string; command: string; outcome: 'accepted' | 'refused' | 'failed'; code?: string },
    seconds: number,
  ): void {
    commands.inc({ ...labels, code: labels.code ?? '' });
    commandSeconds.observe({ process_type: labels.process_type, command: labels.command }, seconds);
  },
  transitionRecorded(processType: string, action: string, notificationKinds: readonly string[]): void {
    transitions.inc({ process_type: processType, action });
    for (const kind of notificationKinds.filter((k) => k.startsWith('sla_')))
      slaRungs.inc({ process_type: processType, kind });
  },
  jobFailed(queue: string): void {
    jobFailures.inc({ queue });
  },
  slackDelivered(result: 'posted' | 'already_posted' | 'retried'): void {
    slackDeliveries.inc({ result });
  },
  fannedOut(seconds: number): void {
    fanOutSeconds.observe(seconds);
  },
};

/** A gauge whose value is read when scraped: `read` answers the current values by label set. */
export function registerGauge<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () =>
    | Promise<{ labels: Partial<Record<L, string>>; value: number }[]>
    | { labels: Partial<Record<L, string>>; value: number }[],
): void {
  registry.removeSingleMetric(name);
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      // A source that is away (the database restarting, a stopped worker) leaves its gauge empty, not the scrape failed.
      const values = await Promise.resolve()
        .then(read)
        .catch(() => []);
      for (const { labels, value } of values) if (Number.isFinite(value)) this.set(labels, value);
    },
  });
}

/** Whether an Authorization header carries the metrics token; no token configured means no metrics. */
export function mayScrape(token: string | undefined, authorization: string | undefined): 'ok' | 'off' | 'unauthorized' {
  if (!token) return 'off';
  const given = Buffer.from(authorization?.replace(/^Bearer\s+/i, '') ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted) ? 'ok' : 'unauthorized';
}

/** For processes without an HTTP server of their own (the worker): /metrics alone on its own port. */
export async function startMetricsListener(options: {
  host: string;
  port: number;
  token: string | undefined;
}): Promise<Server> {
  const server = createServer((req, res) => {
    const verdict = req.url?.split('?')[0] === '/metrics' ? mayScrape(options.token, req.headers.authorization) : 'off';
    if (verdict !== 'ok') {
      res
        .writeHead(verdict === 'off' ? 404 : 401, { 'content-type': 'text/plain' })
        .end(verdict === 'off' ? 'Not found' : 'Unauthorized');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
    );
  });
  await new Promise<void>((resolve, reject) =>
    server.once('error', reject).listen(options.port, options.host, resolve),
  );
  return server;
}
