import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { z } from '@hono/zod-openapi';
import busboy from 'busboy';
import type { Context } from 'hono';
import { validationError } from '../../hub/errors.js';
import { actorOf, type HubEnv } from '../../hub/context.js';
import type { DocumentService, SubjectRef, UploadedFile, UploadFields } from '../../hub/documents.js';
import {
  ALLOWED_DOCUMENT_TYPES,
  contentDisposition,
  DOCUMENT_KINDS,
  REVIEW_STATUSES,
} from '../../workflows/documents.js';
import { HubError } from '../../workflows/errors.js';
import {
  CONFLICT_RESPONSE,
  createRouter,
  ERROR_RESPONSES,
  hubRoute,
  IdParams,
  jsonBody,
  jsonResponse,
  SECURITY,
} from './openapi.js';

const VersionSchema = z.object({
  version: z.number(),
  title: z.string(),
  file_name: z.string(),
  media_type: z.string(),
  size_bytes: z.number(),
  sha256: z.string(),
  client_visible: z.boolean(),
  uploaded_by: z.string(),
  uploaded_by_name: z.string().nullable(),
  uploaded_at: z.string(),
  retain_until: z.string(),
  review_status: z.enum(REVIEW_STATUSES),
  reviewed_by_name: z.string().nullable(),
  reviewed_at: z.string().nullable(),
  review_reason: z.string().nullable(),
  deleted: z.boolean(),
  previewable: z.boolean(),
  content_path: z.string(),
});

const DocumentSchema = z
  .object({
    document_id: z.string(),
    subject_type: z.enum(['process', 'client']),
    subject_id: z.string(),
    kind: z.enum(DOCUMENT_KINDS),
    kind_label: z.string(),
    latest: VersionSchema.nullable(),
    versions: z
      .array(VersionSchema)
      .openapi({ description: 'Newest first; a client sees only the versions meant for them' }),
  })
  .openapi('Document');

const DocumentListSchema = z.object({
  subject_type: z.enum(['process', 'client']),
  subject_id: z.string(),
  kinds: z.array(z.object({ kind: z.string(), label: z.string() })),
  may_upload: z.boolean(),
  may_review: z.boolean(),
  requirements: z.array(
    z.object({ kind: z.string(), kind_label: z.string(), command: z.string(), met: z.boolean(), message: z.string() }),
  ),
  documents: z.array(DocumentSchema),
});

const UploadFieldsSchema = z
  .object({
    kind: z.enum(DOCUMENT_KINDS),
    title: z.string().trim().min(1).max(200),
    client_visible: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true')),
  })
  .strict();

const VersionParams = IdParams.extend({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .openapi({ param: { name: 'version', in: 'path' }, example: 1 }),
});

const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
const TYPES_TEXT = Object.keys(ALLOWED_DOCUMENT_TYPES).join(', ');

/**
 * Reads a multipart upload as a stream: fields first, then one part named `file`, handed on as it arrives.
 * The whole file is never in memory; past the size limit busboy stops passing bytes on.
 */
function receiveUpload(
  c: Context<HubEnv>,
  maxBytes: number,
  store: (fields: UploadFields, file: UploadedFile) => Promise<unknown>,
) {
  const contentType = c.req.header('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType) || !hasBody(c)) {
    throw new HubError(
      'VALIDATION_FAILED',
      'body: expected multipart/form-data with the fields kind and title, then a file',
      { field: 'body' },
    );
  }
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES) {
    throw new HubError('PAYLOAD_TOO_LARGE', `file: larger than the ${maxBytes} bytes documents may be`, {
      field: 'file',
      max_bytes: maxBytes,
    });
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      limits: { files: 1, fields: 10, fieldSize: 4096, parts: 12, fileSize: maxBytes + 1 },
    });
  } catch (error) {
    throw new HubError('VALIDATION_FAILED', `body: ${(error as Error).message}`, { field: 'body' });
  }
  return new Promise<unknown>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let handled = false;
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || handled) {
        stream.resume();
        if (name !== 'file')
          reject(
            new HubError('VALIDATION_FAILED', `${name}: unexpected file part; send the file as "file"`, {
              field: name,
            }),
          );
        return;
      }
      handled = true;
      const parsed = UploadFieldsSchema.safeParse(fields);
      if (!parsed.success) {
        stream.resume();
        reject(validationError(parsed.error, 'body'));
        return;
      }
      store(parsed.data, { name: cleanFileName(info.filename), stream }).then(resolve, (error) => {
        stream.resume();
        reject(error);
      });
    });
    parser.on('close', () => {
      if (!handled) reject(new HubError('VALIDATION_FAILED', 'file: the upload has no file part', { field: 'file' }));
    });
    parser.on('error', (error) =>
      reject(new HubError('VALIDATION_FAILED', `body: ${(error as Error).message}`, { field: 'body' })),
    );
    bodyStream(c).on('error', reject).pipe(parser);
  });
}

/**
 * The request body as a Node stream. On Node the request itself, so the client is slowed down to the pace of
 * storage (Node 20's web-stream bridge does not pass that back pressure on, and would buffer the file).
 */
function bodyStream(c: Context<HubEnv>): Readable {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming ?? Readable.fromWeb(c.req.raw.body as never);
}

function hasBody(c: Context<HubEnv>): boolean {
  return Boolean((c.env as { incoming?: IncomingMessage } | undefined)?.incoming ?? c.req.raw.body);
}

/** Only the last path segment, without control characters, as the file's name. */
function cleanFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const printable = [...base].filter((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f).join('');
  return printable.trim().slice(0, 200);
}

export function documentRoutes(service: DocumentService) {
  const router = createRouter();

  for (const subject of ['process', 'client'] as const) {
    const resource = subject === 'process' ? 'processes' : 'clients';
    const ref = (id: string): SubjectRef => ({ type: subject, id });
    router.openAPIRegistry.registerPath({
      method: 'post',
      path: `/${resource}/{id}/documents`,
      tags: ['Documents'],
      summary: `Upload a document to a ${subject} (multipart: kind, title, client_visible, then file; streamed)`,
      description:
        `The type is detected from the content, not the name: ${TYPES_TEXT}. A second upload of the same kind is its next ` +
        'version. Too large: 413; empty or another type: 400. The size limit is the document_max_bytes setting.',
      security: SECURITY,
      request: {
        params: IdParams,
        body: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: z.object({
                kind: z.enum(DOCUMENT_KINDS),
                title: z.string(),
                client_visible: z.enum(['true', 'false']).optional(),
                file: z.string().openapi({ format: 'binary' }),
              }),
            },
          },
        },
      },
      responses: {
        201: jsonResponse(DocumentSchema, 'The new version'),
        413: ERROR_RESPONSES[400],
        ...ERROR_RESPONSES,
      },
    });
    router.post(`/${resource}/:id/documents`, async (c) => {
      const id = IdParams.parse({ id: c.req.param('id') }).id;
      const document = await service.upload(
        actorOf(c),
        ref(id),
        (maxBytes, store) => receiveUpload(c, maxBytes, store) as never,
      );
      return c.json(document, 201);
    });

    router.openapi(
      hubRoute({
        method: 'get',
        path: `/${resource}/{id}/documents`,
        tags: ['Documents'],
        summary: `The ${subject}'s documents with their versions and review state, and what its steps still need`,
        request: { params: IdParams },
        responses: { 200: jsonResponse(DocumentListSchema, 'Documents by kind') },
      }),
      async (c) => c.json((await service.list(actorOf(c), ref(c.req.valid('param').id))) as never, 200),
    );
  }

  const contentRoute = <P extends typeof IdParams>(path: string, params: P) =>
    hubRoute({
      method: 'get',
      path,
      tags: ['Documents'],
      summary:
        'The bytes of a version (the latest without a version), audited; ?disposition=inline previews PDFs and images',
      request: { params, query: z.object({ disposition: z.enum(['inline', 'attachment']).default('attachment') }) },
      responses: {
        200: {
          description: 'The file, with its detected type, nosniff and a safe Content-Disposition',
          content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
        },
      },
    });
  const serve = async (
    c: Context<HubEnv>,
    documentId: string,
    version: number | undefined,
    disposition: 'inline' | 'attachment',
  ) => {
    const content = await service.open(actorOf(c), documentId, version, disposition);
    const v = content.version;
    return c.body(Readable.toWeb(content.stream) as ReadableStream, 200, {
      'content-type': v.media_type,
      'content-length': String(v.size_bytes),
      'content-disposition': contentDisposition(content.disposition, v.file_name, v.extension),
      'x-content-type-options': 'nosniff',
      // Opened directly, the file may not run anything; PDFs keep their viewer (it refuses a sandbox).
      'content-security-policy':
        v.media_type === 'application/pdf' ? "default-src 'none'; object-src 'self'" : "default-src 'none'; sandbox",
      'cache-control': 'private, no-store',
      etag: `"${v.sha256}"`,
      'x-document-version': String(v.version),
      'x-document-sha256': v.sha256,
    });
  };
  router.openapi(
    contentRoute('/documents/{id}/content', IdParams),
    async (c) => serve(c, c.req.valid('param').id, undefined, c.req.valid('query').disposition) as never,
  );
  router.openapi(contentRoute('/documents/{id}/versions/{version}/content', VersionParams), async (c) => {
    const { id, version } = c.req.valid('param');
    return serve(c, id, version, c.req.valid('query').disposition) as never;
  });

  router.openapi(
    hubRoute({
      method: 'post',
      path: '/documents/{id}/versions/{version}/review',
      tags: ['Documents'],
      summary: "Compliance's decision on a version: accepted, or rejected with a reason",
      request: {
        params: VersionParams,
        body: jsonBody(
          z
            .object({
              decision: z.enum(['accepted', 'rejected']),
              reason: z.string().trim().min(1).max(2000).optional(),
            })
            .strict(),
        ),
      },
      responses: {
        200: jsonResponse(DocumentSchema, 'The document with the reviewed version'),
        409: CONFLICT_RESPONSE,
      },
    }),
    async (c) => {
      const { id, version } = c.req.valid('param');
      const { decision, reason } = c.req.valid('json');
      return c.json((await service.review(actorOf(c), id, version, decision, reason)) as never, 200);
    },
  );

  router.openapi(
    hubRoute({
      method: 'delete',
      path: '/documents/{id}/versions/{version}',
      tags: ['Documents'],
      summary: "An administrator deletes a version's bytes after its retention period (the record and audit stay)",
      request: {
        params: VersionParams,
        body: jsonBody(z.object({ reason: z.string().trim().min(1).max(2000) }).strict()),
      },
      responses: {
        200: jsonResponse(DocumentSchema, 'The document with the deleted version'),
        409: CONFLICT_RESPONSE,
      },
    }),
    async (c) => {
      const { id, version } = c.req.valid('param');
      return c.json((await service.delete(actorOf(c), id, version, c.req.valid('json').reason)) as never, 200);
    },
  );
  return router;
}
