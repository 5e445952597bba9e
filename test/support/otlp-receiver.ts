import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

/**
 * The messages of OTLP's trace export (opentelemetry-proto, collector/trace/v1 and trace/v1), with the upstream
 * field numbers; the fields a test reads, protobuf skipping the rest (events, links).
 */
const OTLP_TRACE_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Resource { repeated KeyValue attributes = 1; }
message Status { string message = 2; int32 code = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5;
  int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
  Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
`;

export interface ReceivedSpan {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  service: string;
  scope: string;
  attributes: Record<string, unknown>;
}

export interface OtlpReceiver {
  /** The endpoint to give OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  url: string;
  spans: ReceivedSpan[];
  /** Resolves once `check` holds over the spans received so far (checked on each export). */
  until<T>(check: (spans: ReceivedSpan[]) => T | undefined, what: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

type Decoded = {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { scope?: { name?: string }; spans?: DecodedSpan[] }[];
  }[];
};
type KeyValue = { key: string; value?: Record<string, unknown> };
type DecodedSpan = {
  traceId: Buffer;
  spanId: Buffer;
  parentSpanId?: Buffer;
  name: string;
  kind?: number;
  attributes?: KeyValue[];
};

const valueOf = (value: Record<string, unknown> | undefined) => (value ? Object.values(value)[0] : undefined);
const attributesOf = (list: KeyValue[] = []) => Object.fromEntries(list.map((kv) => [kv.key, valueOf(kv.value)]));
const hex = (bytes?: Buffer) => (bytes && bytes.length > 0 ? Buffer.from(bytes).toString('hex') : null);

/** An OTLP/HTTP trace receiver on loopback that decodes the protobuf the SDK's exporter sends. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const ExportTraceServiceRequest = protobuf.parse(OTLP_TRACE_PROTO).root.lookupType('otlp.ExportTraceServiceRequest');
  const spans: ReceivedSpan[] = [];
  const waiters = new Set<() => void>();

  const server = createServer(async (request, response) => {
    if (request.method !== 'POST' || request.url !== '/v1/traces') return void response.writeHead(404).end();
    if (request.headers['content-type'] !== 'application/x-protobuf') return void response.writeHead(415).end();
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let decoded: Decoded;
    try {
      decoded = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(Buffer.concat(chunks)), {
        longs: String,
      }) as Decoded;
    } catch {
      return void response.writeHead(400).end();
    }
    for (const resourceSpans of decoded.resourceSpans ?? []) {
      const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          spans.push({
            trace_id: hex(span.traceId)!,
            span_id: hex(span.spanId)!,
            parent_span_id: hex(span.parentSpanId),
            name: span.name,
            kind: span.kind ?? 0,
            service,
            scope: scopeSpans.scope?.name ?? '',
            attributes: attributesOf(span.attributes),
          });
        }
      }
    }
    // An empty ExportTraceServiceResponse: everything accepted.
    response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    for (const wake of waiters) wake();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    until(check, what, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const attempt = () => {
          const value = check(spans);
          if (value === undefined) return;
          waiters.delete(attempt);
          clearTimeout(timer);
          resolve(value);
        };
        const timer = setTimeout(() => {
          waiters.delete(attempt);
          const names = [...new Set(spans.map((s) => `${s.service}:${s.name}`))].join(', ');
          reject(new Error(`timed out waiting for ${what}; spans received: ${names}`));
        }, timeoutMs);
        waiters.add(attempt);
        attempt();
      });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
