import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Benchmark } from './support/benchmark.js';

const MEGABYTES = Number(process.env.BENCH_DOCUMENT_MB ?? 64);
const CHUNK = 256 * 1024;

/** A PDF of the given size, produced chunk by chunk: the client never holds it whole either. */
function* pdfChunks(bytes: number): Generator<Buffer> {
  const head = Buffer.from('%PDF-1.4\n%bench\n');
  yield head;
  const filler = Buffer.alloc(CHUNK, 0x25);
  for (let sent = head.length; sent < bytes; sent += CHUNK) yield filler.subarray(0, Math.min(CHUNK, bytes - sent));
}

/** Resident memory, sampled while `work` runs: the highest reading above the one before it started. */
async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growthMb: (peak - before) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

const benchmark: Benchmark = {
  name: 'document-uploads',
  description:
    `One ${MEGABYTES} MB document streamed (chunked, no length) through the API into the folder backend: multipart ` +
    'parsing, type detection, SHA-256, the size limit and the audited record, against writing the same bytes to a file ' +
    '(baseline: the disk alone). Memory is the server process, which the upload passes through.',
  async run({ hub: startHub }) {
    const hub = await startHub();
    const advisor = await hub.login('alex.advisor@hub.example');
    const { application_id: id } = await hub.api<{ application_id: string }>(advisor, 'POST', '/applications', {
      client_id: 'cli_chris_carter',
      account_type: 'individual',
    });
    await hub.sql`UPDATE settings SET value = ${String((MEGABYTES + 1) * 1024 * 1024)} WHERE key = 'document_max_bytes'`;
    const bytes = MEGABYTES * 1024 * 1024;

    const dir = mkdtempSync(path.join(os.tmpdir(), 'hub-bench-file-'));
    const baseline = await peakRssGrowth(async () => {
      const started = performance.now();
      await pipeline(Readable.from(pdfChunks(bytes)), createWriteStream(path.join(dir, 'copy.pdf')));
      return (performance.now() - started) / 1000;
    });
    rmSync(dir, { recursive: true, force: true });

    const boundary = 'bench-boundary';
    const upload = await peakRssGrowth(async () => {
      const started = performance.now();
      async function* body() {
        yield Buffer.from(
          `--${boundary}\r\ncontent-disposition: form-data; name="kind"\r\n\r\nother\r\n` +
            `--${boundary}\r\ncontent-disposition: form-data; name="title"\r\n\r\nBench\r\n` +
            `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="bench.pdf"\r\n\r\n`,
        );
        yield* pdfChunks(bytes);
        yield Buffer.from(`\r\n--${boundary}--\r\n`);
      }
      const response = await fetch(`${hub.url}/api/processes/${id}/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${advisor}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: Readable.toWeb(Readable.from(body())) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      if (response.status !== 201) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
      return (performance.now() - started) / 1000;
    });
    await hub.sql`UPDATE settings SET value = '26214400' WHERE key = 'document_max_bytes'`;

    const row = (name: string, m: { result: number; growthMb: number }) => [
      name,
      Math.round(MEGABYTES / m.result),
      m.result.toFixed(2),
      Math.round(m.growthMb),
    ];
    return {
      columns: ['path', 'MB / s', 'seconds', 'peak memory growth (MB)'],
      rows: [row('file write (baseline)', baseline), row('upload through the API', upload)],
      notes: [`A file held whole would grow memory by at least ${MEGABYTES} MB.`],
    };
  },
};

export default benchmark;
