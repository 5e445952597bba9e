import type { Principal, ProcessRelations } from './policy.js';
import { holdsRelation } from './policy.js';
import type { Ownership, Role } from './process-spec.js';

/**
 * Documents: what kinds there are, which file types are taken, who may upload, read and review them, and
 * the rule that a process step needs a document accepted first. Pure, so the specs can name requirements.
 */

export const DOCUMENT_KINDS = [
  'mandate',
  'source_of_funds_evidence',
  'identity_document',
  'proof_of_address',
  'formation_documents',
  'other',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const DOCUMENT_KIND_LABELS: Record<DocumentKind, string> = {
  mandate: 'Signed mandate',
  source_of_funds_evidence: 'Source-of-funds evidence',
  identity_document: 'Identity document',
  proof_of_address: 'Proof of address',
  formation_documents: 'Formation documents',
  other: 'Other',
};

/** Types detected from the content (never the name). Only PDFs and images are shown inline. */
export const ALLOWED_DOCUMENT_TYPES = {
  'application/pdf': { extension: 'pdf', preview: true },
  'image/png': { extension: 'png', preview: true },
  'image/jpeg': { extension: 'jpg', preview: true },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { extension: 'docx', preview: false },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { extension: 'xlsx', preview: false },
} as const satisfies Record<string, { extension: string; preview: boolean }>;
export type DocumentMediaType = keyof typeof ALLOWED_DOCUMENT_TYPES;

export function isAllowedMediaType(mime: string | undefined): mime is DocumentMediaType {
  return mime !== undefined && Object.hasOwn(ALLOWED_DOCUMENT_TYPES, mime);
}

/** PDFs and images may be shown inline; office files are always downloaded. */
export function isPreviewable(mime: string): boolean {
  return isAllowedMediaType(mime) && ALLOWED_DOCUMENT_TYPES[mime].preview;
}

export const REVIEW_STATUSES = ['pending', 'accepted', 'rejected'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/**
 * A step that needs a document: `command` is refused with `code` unless the latest version of `kind` on the
 * process is accepted (or, with `state: 'uploaded'`, held at all, whatever its review says). `when` names a
 * boolean field of the process record that makes the rule apply.
 */
export interface DocumentRequirement {
  kind: DocumentKind;
  command: string;
  when?: string;
  state?: 'uploaded' | 'accepted';
  code: string;
  message: string;
}

/** What a process spec says about its documents. */
export interface DocumentsSpec {
  kinds: readonly DocumentKind[];
  required: readonly DocumentRequirement[];
}

/** The kinds a process holds: every one not deleted, and those whose latest version is accepted. */
export interface HeldDocuments {
  uploaded: ReadonlySet<string>;
  accepted: ReadonlySet<string>;
}

/** What a list of the latest versions held says: the kinds uploaded, and those accepted. */
export function heldDocumentsOf(lines: readonly { kind: string; review_status: string }[]): HeldDocuments {
  return {
    uploaded: new Set(lines.map((line) => line.kind)),
    accepted: new Set(lines.filter((line) => line.review_status === 'accepted').map((line) => line.kind)),
  };
}

/** The requirements of a command that the record and the documents held leave unmet. */
export function unmetRequirements(
  documents: DocumentsSpec | undefined,
  command: string,
  record: Record<string, unknown>,
  held: HeldDocuments,
): DocumentRequirement[] {
  return (documents?.required ?? []).filter(
    (r) =>
      r.command === command &&
      (r.when === undefined || record[r.when] === true) &&
      !held[r.state ?? 'accepted'].has(r.kind),
  );
}

/** Who does what with documents. Ops and managers read; only compliance reviews; only admins delete. */
const DOCUMENT_UPLOADERS: Partial<Record<Role, Ownership>> = {
  client: 'own',
  advisor: 'own',
  compliance_officer: 'any',
  admin: 'any',
};
const DOCUMENT_REVIEWERS: readonly Role[] = ['compliance_officer', 'admin'];

export function mayUploadDocument(principal: Principal, relations: ProcessRelations): boolean {
  if (principal.role === 'system') return true;
  const ownership = DOCUMENT_UPLOADERS[principal.role];
  return ownership === 'any' || (ownership === 'own' && holdsRelation(principal, principal.role, relations));
}

export function mayReviewDocument(principal: Principal): boolean {
  return principal.role !== 'system' && DOCUMENT_REVIEWERS.includes(principal.role);
}

export function mayDeleteDocument(principal: Principal): boolean {
  return principal.role === 'admin';
}

/** Clients see only what is meant for them; staff who may read the subject see every version. */
export function mayReadVersion(principal: Principal, version: { client_visible: boolean }): boolean {
  return principal.role !== 'client' || version.client_visible;
}

/** The client's view of who may read a client's own documents: the same readers as their applications. */
export const CLIENT_DOCUMENT_READERS: Partial<Record<Role, Ownership>> = {
  client: 'own',
  advisor: 'own',
  compliance_officer: 'any',
  admin: 'any',
  ops: 'any',
  manager: 'any',
};

/**
 * A file name safe for a Content-Disposition header: the ASCII fallback keeps letters, digits and `._-`, the
 * `filename*` form carries the original name percent-encoded (RFC 6266, RFC 5987).
 */
export function contentDisposition(type: 'inline' | 'attachment', fileName: string, extension: string): string {
  const base = fileName.replace(/\.[^.]*$/, '') || 'document';
  const ascii = `${
    base
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^\w.-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 100) || 'document'
  }.${extension}`;
  const encoded = encodeURIComponent(`${base}.${extension}`).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
