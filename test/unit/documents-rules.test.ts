import { describe, expect, it } from 'vitest';
import {
  contentDisposition,
  heldDocumentsOf,
  mayReadVersion,
  mayReviewDocument,
  mayUploadDocument,
  unmetRequirements,
} from '../../workflows/documents.js';
import { isErrorCode } from '../../workflows/errors.js';
import { accountOpeningSpec } from '../../workflows/account-opening/spec.js';
import { PROCESS_SPECS } from '../../workflows/specs.js';

describe('document rules', () => {
  it('every requirement a spec declares refuses with a code of the error tables, for a command the spec has', () => {
    for (const spec of PROCESS_SPECS) {
      for (const requirement of spec.documents?.required ?? []) {
        expect(isErrorCode(requirement.code), `${spec.processType}: ${requirement.code}`).toBe(true);
        expect(Object.keys(spec.commands)).toContain(requirement.command);
        expect(spec.documents!.kinds).toContain(requirement.kind);
      }
    }
  });

  const held = (accepted: string[]) => heldDocumentsOf(accepted.map((kind) => ({ kind, review_status: 'accepted' })));

  it('source-of-funds evidence is needed to approve only above the EDD threshold, and only until accepted', () => {
    const documents = accountOpeningSpec.documents;
    expect(unmetRequirements(documents, 'compliance_approve', { edd_required: false }, held([]))).toEqual([]);
    expect(
      unmetRequirements(documents, 'compliance_approve', { edd_required: true }, held([])).map((r) => [r.kind, r.code]),
    ).toEqual([['source_of_funds_evidence', 'COMPLIANCE_REVIEW_REQUIRED']]);
    expect(
      unmetRequirements(documents, 'compliance_approve', { edd_required: true }, held(['source_of_funds_evidence'])),
    ).toEqual([]);
    expect(unmetRequirements(documents, 'compliance_reject', { edd_required: true }, held([]))).toEqual([]);
  });

  it('clients read only client-visible versions and upload only where they are the client; only compliance reviews', () => {
    const chris = { user_id: 'usr_chris', role: 'client' as const };
    const relations = { client_user_id: 'usr_chris', advisor_id: 'usr_alex' };
    expect(mayReadVersion(chris, { client_visible: false })).toBe(false);
    expect(mayReadVersion(chris, { client_visible: true })).toBe(true);
    expect(mayReadVersion({ user_id: 'usr_omar', role: 'ops' }, { client_visible: false })).toBe(true);
    expect(mayUploadDocument(chris, relations)).toBe(true);
    expect(mayUploadDocument({ user_id: 'usr_fiona', role: 'client' }, relations)).toBe(false);
    expect(mayUploadDocument({ user_id: 'usr_beth', role: 'advisor' }, relations)).toBe(false);
    expect(mayUploadDocument({ user_id: 'usr_omar', role: 'ops' }, relations)).toBe(false);
    expect(mayReviewDocument({ user_id: 'usr_alex', role: 'advisor' })).toBe(false);
    expect(mayReviewDocument({ user_id: 'usr_carla', role: 'compliance_officer' })).toBe(true);
  });

  it('writes a Content-Disposition no file name can break out of', () => {
    expect(contentDisposition('attachment', 'Kontoauszug März.pdf', 'pdf')).toBe(
      `attachment; filename="Kontoauszug_Marz.pdf"; filename*=UTF-8''Kontoauszug%20M%C3%A4rz.pdf`,
    );
    const hostile = contentDisposition('inline', 'x";\r\nSet-Cookie: a=b.html', 'png');
    expect(hostile).not.toMatch(/[\r\n]/);
    expect(hostile).toMatch(/^inline; filename="x_Set-Cookie_a_b\.png"; filename\*=UTF-8''/);
    // The stored extension wins over the name's: a file sniffed as PNG is never served as .html.
    expect(contentDisposition('attachment', 'report.html', 'pdf')).toMatch(/filename="report\.pdf"/);
  });
});
