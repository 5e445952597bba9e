import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import type { HubConfig } from './config.js';
import { temporalClientTelemetry } from './telemetry.js';

export type TemporalSettings = Pick<
  HubConfig,
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CERT_PATH'
  | 'TEMPORAL_TLS_KEY_PATH'
  | 'TEMPORAL_TLS_CA_PATH'
  | 'TEMPORAL_API_KEY'
  | 'OTEL_EXPORTER_OTLP_ENDPOINT'
>;

/** TLS for a self-hosted cluster (mTLS) or Temporal Cloud (API key implies TLS). */
export function temporalTls(settings: TemporalSettings): TLSConfig | boolean {
  const cert = settings.TEMPORAL_TLS_CERT_PATH;
  const key = settings.TEMPORAL_TLS_KEY_PATH;
  const ca = settings.TEMPORAL_TLS_CA_PATH;
  if (cert && key) {
    return {
      clientCertPair: { crt: readFileSync(cert), key: readFileSync(key) },
      ...(ca ? { serverRootCACertificate: readFileSync(ca) } : {}),
    };
  }
  if (ca) return { serverRootCACertificate: readFileSync(ca) };
  return settings.TEMPORAL_TLS || Boolean(settings.TEMPORAL_API_KEY);
}

export function temporalConnectionOptions(address: string, settings: TemporalSettings) {
  return {
    address,
    tls: temporalTls(settings),
    ...(settings.TEMPORAL_API_KEY ? { apiKey: settings.TEMPORAL_API_KEY } : {}),
  };
}

export async function connectTemporalClient(address: string, settings: TemporalSettings): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(address, settings));
  return new Client({
    connection,
    namespace: settings.TEMPORAL_NAMESPACE,
    interceptors: await temporalClientTelemetry(settings),
  });
}
