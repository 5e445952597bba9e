import { createRequire } from 'node:module';
import type { ClientInterceptors } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { HubConfig } from './config.js';

/**
 * OpenTelemetry traces, only when OTEL_EXPORTER_OTLP_ENDPOINT is set; without it no part of the SDK is even
 * loaded. Incoming and outgoing HTTP and `pg` (pg-boss) are instrumented by the SDK, the Temporal interceptors
 * carry a request's trace through its Update into the workflow and its activities, and the transaction that
 * records a transition opens a span of its own (db/transitions.ts).
 */

type TelemetryConfig = Pick<HubConfig, 'OTEL_EXPORTER_OTLP_ENDPOINT'>;

export interface Telemetry {
  /** Exports the spans still buffered and stops. */
  shutdown(): Promise<void>;
}

const tracesUrl = (endpoint: string) => `${endpoint.replace(/\/$/, '')}/v1/traces`;

/**
 * Starts the SDK for one process, before the modules it instruments load: an entry point imports the rest of
 * its code after this.
 */
export async function startTelemetry(config: TelemetryConfig, serviceName: string): Promise<Telemetry | null> {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return null;
  const [{ NodeSDK }, { OTLPTraceExporter }, { HttpInstrumentation }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-proto'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const sdk = new NodeSDK({
    serviceName,
    traceExporter: new OTLPTraceExporter({ url: tracesUrl(endpoint) }),
    instrumentations: [new HttpInstrumentation(), new PgInstrumentation()],
    // Only traces: metrics are Prometheus' (/metrics), logs are pino's.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

/** The Temporal client's part: each Update, start and signal carries the caller's trace in its headers. */
export async function temporalClientTelemetry(config: TelemetryConfig): Promise<ClientInterceptors | undefined> {
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const { OpenTelemetryWorkflowClientInterceptor } = await import('@temporalio/interceptors-opentelemetry');
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/**
 * The worker's part: workflow interceptors (bundled with the workflows, so a prebuilt bundle must include
 * them), spans of workflow code exported through a sink, and activity spans under the workflow's.
 */
export async function temporalWorkerTelemetry(
  config: TelemetryConfig,
  serviceName: string,
): Promise<Pick<WorkerOptions, 'interceptors' | 'sinks'>> {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return {};
  const [temporalOtel, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@temporalio/interceptors-opentelemetry'),
    import('@opentelemetry/exporter-trace-otlp-proto'),
    import('@opentelemetry/resources'),
  ]);
  const exporter = toCurrentSpanShape(new OTLPTraceExporter({ url: tracesUrl(endpoint) }));
  const resource = resourceFromAttributes({ 'service.name': serviceName });
  const require = createRequire(import.meta.url);
  return {
    interceptors: {
      workflowModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
      activity: [
        (context) => ({
          inbound: new temporalOtel.OpenTelemetryActivityInboundInterceptor(context),
          outbound: new temporalOtel.OpenTelemetryActivityOutboundInterceptor(context),
        }),
      ],
    },
    sinks: { exporter: temporalOtel.makeWorkflowExporter(exporter as never, resource as never) },
  };
}

/** 1.x SDK fields of a span, as the Temporal interceptors still build workflow spans. */
type LegacySpan = ReadableSpan & {
  parentSpanId?: string;
  instrumentationLibrary?: ReadableSpan['instrumentationScope'];
};

/**
 * The Temporal interceptors build workflow spans with the 1.x SDK's field names (parentSpanId,
 * instrumentationLibrary); the OTLP exporter reads the 2.x ones. Without this the workflow spans lose their
 * parent and fail to encode.
 */
function toCurrentSpanShape(exporter: SpanExporter): SpanExporter {
  const upgrade = (span: LegacySpan): ReadableSpan => {
    const context = span.spanContext();
    return {
      ...span,
      spanContext: () => context,
      parentSpanContext:
        span.parentSpanContext ??
        (span.parentSpanId
          ? { traceId: context.traceId, spanId: span.parentSpanId, traceFlags: context.traceFlags }
          : undefined),
      instrumentationScope: span.instrumentationScope ?? span.instrumentationLibrary ?? { name: 'temporal' },
    };
  };
  return {
    export: (spans, done) => exporter.export((spans as LegacySpan[]).map(upgrade), done),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
