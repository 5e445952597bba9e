import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { TestHub } from './hub.js';

/** Small real files of each kind the hub takes, and some it must refuse. */
export function pdfFile(text = 'Bank statement, 2026', padTo = 0): Buffer {
  const content = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  // A comment line makes the file as large as a test needs; readers skip it.
  if (padTo > pdf.length) pdf += `%${'x'.repeat(Math.max(0, padTo - pdf.length - 200))}\n`;
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf);
}

/** A 1×1 PNG. */
export const PNG_FILE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

export const HTML_FILE = Buffer.from(
  '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n',
);

/** A Word document's zip shape: what makes it .docx to a content sniffer. */
export function docxFile(): Buffer {
  const entries = [
    [
      '[Content_Types].xml',
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ],
    [
      'word/document.xml',
      '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
    ],
  ] as const;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of entries) {
    const data = Buffer.from(text);
    const fileName = Buffer.from(name);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt32LE(crc32(data), 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(header, fileName, data);
    centrals.push(central, fileName);
    offset += header.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export interface UploadOptions {
  kind: string;
  title: string;
  fileName: string;
  bytes: Buffer;
  clientVisible?: boolean;
}

/** A multipart upload as a browser sends it (fields, then the file), with its length declared. */
export async function uploadDocument(hub: TestHub, token: string, subjectPath: string, options: UploadOptions) {
  const form = new FormData();
  form.append('kind', options.kind);
  form.append('title', options.title);
  if (options.clientVisible !== undefined) form.append('client_visible', String(options.clientVisible));
  form.append('file', new Blob([new Uint8Array(options.bytes)]), options.fileName);
  const response = await fetch(`${hub.url}/api${subjectPath}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

/** The same upload sent chunked, with no length, as a client streaming a file of unknown size does. */
export async function streamDocument(hub: TestHub, token: string, subjectPath: string, options: UploadOptions) {
  const boundary = `----hub${Date.now()}`;
  const part = (name: string, value: string) =>
    `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = Buffer.from(
    `${part('kind', options.kind)}${part('title', options.title)}--${boundary}\r\n` +
      `content-disposition: form-data; name="file"; filename="${options.fileName}"\r\ncontent-type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunkSize = 16 * 1024;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head);
      for (let at = 0; at < options.bytes.length; at += chunkSize)
        controller.enqueue(options.bytes.subarray(at, at + chunkSize));
      controller.enqueue(tail);
      controller.close();
    },
  });
  const response = await fetch(`${hub.url}/api${subjectPath}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
    duplex: 'half',
  } as RequestInit);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

/** Source-of-funds evidence uploaded by the advisor and accepted by compliance: what an EDD approval needs. */
export async function attachAcceptedEvidence(
  hub: TestHub,
  processId: string,
  uploaderToken: string,
  reviewerToken: string,
  kind = 'source_of_funds_evidence',
): Promise<string> {
  const uploaded = await uploadDocument(hub, uploaderToken, `/processes/${processId}`, {
    kind,
    title: kind === 'source_of_funds_evidence' ? 'Bank statement' : kind.replace(/_/g, ' '),
    fileName: 'statement.pdf',
    bytes: pdfFile(),
  });
  if (uploaded.status !== 201) throw new Error(`evidence upload failed: ${JSON.stringify(uploaded.body)}`);
  const documentId = uploaded.body.document_id as string;
  const reviewed = await hub.api(reviewerToken, 'POST', `/documents/${documentId}/versions/1/review`, {
    decision: 'accepted',
  });
  if (reviewed.status !== 200) throw new Error(`evidence review failed: ${JSON.stringify(reviewed.body)}`);
  return documentId;
}
