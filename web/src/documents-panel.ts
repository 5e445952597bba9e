import type { RealtimeUser } from '../../contracts/socket-events.js';
import { answerOf, ApiError, hub } from './api.js';
import type { Answer, Schema } from './api-types.js';
import { h, replaceChildren, setText } from './dom.js';
import { formatTimestamp } from './format.js';
import { loadSession } from './session.js';

type DocumentEntry = Schema<'Document'>;
type DocumentVersion = DocumentEntry['versions'][number];
type DocumentList = Answer<'/api/processes/{id}/documents', 'get'>;

const REVIEW_LABELS = { pending: 'awaiting review', accepted: 'accepted', rejected: 'rejected' } as const;

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Sends the form with the file last, reporting progress; answers with the API's JSON or its error. */
function sendUpload(path: string, form: FormData, progress: (fraction: number) => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    const token = loadSession()?.token;
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('x-hub-channel', 'board');
    xhr.upload.onprogress = (event) => event.lengthComputable && progress(event.loaded / event.total);
    xhr.onerror = () =>
      reject(new ApiError(0, 'OFFLINE', 'The hub cannot be reached; check the connection and try again'));
    xhr.onload = () => {
      const payload = JSON.parse(xhr.responseText || '{}') as { error?: { code?: string; message?: string } };
      if (xhr.status >= 200 && xhr.status < 300) return resolve(payload);
      reject(
        new ApiError(
          xhr.status,
          payload.error?.code ?? 'ERROR',
          payload.error?.message ?? `The hub answered ${xhr.status}`,
        ),
      );
    };
    xhr.send(form);
  });
}

/**
 * A process's documents in the drawer: each kind with its versions and review state, what its steps still
 * need, compliance's accept and reject, previews of PDFs and images, and uploads by drag and drop.
 */
export class DocumentsPanel {
  readonly element = h('section', { class: 'documents', 'aria-label': 'Documents' });
  private readonly list = h('div', { class: 'document-list' });
  private readonly status = h('p', { class: 'documents-message', role: 'status', 'aria-live': 'polite' });
  private readonly preview = h('div', { class: 'document-preview' });
  private readonly upload = h('div', { class: 'document-upload' });
  private previewUrl: string | undefined;
  private loading = 0;

  constructor(
    private readonly processId: string,
    private readonly user: RealtimeUser,
  ) {
    this.element.append(h('h3', {}, 'Documents'), this.status, this.list, this.upload, this.preview);
  }

  destroy(): void {
    this.loading += 1;
    if (this.previewUrl) URL.revokeObjectURL(this.previewUrl);
  }

  async load(): Promise<void> {
    const attempt = ++this.loading;
    try {
      const list = await answerOf(
        hub.GET('/api/processes/{id}/documents', { params: { path: { id: this.processId } } }),
      );
      if (attempt === this.loading) this.render(list);
    } catch (error) {
      if (attempt === this.loading)
        this.say(error instanceof ApiError ? error.message : 'Could not load the documents', 'error');
    }
  }

  private say(text: string, tone: 'error' | 'ok' | '' = '') {
    this.status.className = `documents-message ${tone}`;
    setText(this.status, text);
  }

  private render(list: DocumentList) {
    replaceChildren(
      this.list,
      list.requirements.length > 0 &&
        h(
          'ul',
          { class: 'document-requirements' },
          ...list.requirements.map((r) =>
            h(
              'li',
              { class: r.met ? 'met' : 'unmet', 'data-required-kind': r.kind },
              r.met ? `${r.kind_label}: accepted` : r.message,
            ),
          ),
        ),
      list.documents.length === 0
        ? h('p', { class: 'muted' }, 'No documents yet')
        : h('ul', {}, ...list.documents.map((d) => this.documentItem(d, list))),
    );
    if (list.may_upload && !this.upload.hasChildNodes()) this.upload.append(this.uploadForm(list));
  }

  private documentItem(document: DocumentEntry, list: DocumentList): HTMLElement {
    const latest = document.latest!;
    return h(
      'li',
      { class: 'document', 'data-document-id': document.document_id, 'data-kind': document.kind },
      h('div', { class: 'document-head' }, h('strong', {}, document.kind_label), ` · ${latest.title}`),
      h(
        'ol',
        { class: 'document-versions', reversed: true },
        ...document.versions.map((v) =>
          h(
            'li',
            { 'data-version': v.version, 'data-review-status': v.review_status },
            h(
              'span',
              {},
              `v${v.version} ${v.file_name} (${formatSize(v.size_bytes)}), ${v.uploaded_by_name ?? ''} ${formatTimestamp(v.uploaded_at)}`,
            ),
            ' ',
            h('span', { class: `review-pill ${v.review_status}` }, REVIEW_LABELS[v.review_status]),
            v.review_reason ? h('q', {}, v.review_reason) : null,
            v.client_visible && this.user.role !== 'client' ? h('span', { class: 'muted' }, ' · client can see') : null,
            v.deleted
              ? h('span', { class: 'muted' }, ' · deleted after retention')
              : this.versionActions(document, v, list),
          ),
        ),
      ),
    );
  }

  private versionActions(document: DocumentEntry, v: DocumentVersion, list: DocumentList): HTMLElement {
    const reviewable = list.may_review && v.review_status === 'pending' && v.version === document.latest?.version;
    return h(
      'span',
      { class: 'document-actions' },
      v.previewable &&
        h('button', { type: 'button', 'data-action': 'preview', onclick: () => void this.show(v) }, 'Preview'),
      h('button', { type: 'button', 'data-action': 'download', onclick: () => void this.download(v) }, 'Download'),
      reviewable &&
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            'data-action': 'accept',
            onclick: () => void this.review(document, v, 'accepted'),
          },
          'Accept',
        ),
      reviewable &&
        h(
          'button',
          { type: 'button', class: 'danger', 'data-action': 'reject', onclick: () => this.askReason(document, v) },
          'Reject',
        ),
    );
  }

  /** The bytes with the bearer token (a plain link would carry none), as a blob URL. */
  private async fetchContent(v: DocumentVersion, disposition: 'inline' | 'attachment'): Promise<Blob> {
    const token = loadSession()?.token;
    const response = await fetch(`${v.content_path}?disposition=${disposition}`, {
      headers: { 'x-hub-channel': 'board', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    if (!response.ok) {
      const payload = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      throw new ApiError(
        response.status,
        payload.error?.code ?? 'ERROR',
        payload.error?.message ?? `The hub answered ${response.status}`,
      );
    }
    return response.blob();
  }

  private async show(v: DocumentVersion) {
    try {
      const blob = await this.fetchContent(v, 'inline');
      if (this.previewUrl) URL.revokeObjectURL(this.previewUrl);
      this.previewUrl = URL.createObjectURL(blob);
      const title = `${v.title}, version ${v.version}`;
      replaceChildren(
        this.preview,
        h(
          'div',
          { class: 'row' },
          h('strong', {}, title),
          h('button', { type: 'button', onclick: () => replaceChildren(this.preview) }, 'Close preview'),
        ),
        v.media_type === 'application/pdf'
          ? h('iframe', { src: this.previewUrl, title, class: 'document-frame', 'data-preview-type': 'pdf' })
          : h('img', { src: this.previewUrl, alt: title, class: 'document-image', 'data-preview-type': 'image' }),
      );
    } catch (error) {
      this.say(error instanceof ApiError ? error.message : 'Could not preview the document', 'error');
    }
  }

  private async download(v: DocumentVersion) {
    try {
      const url = URL.createObjectURL(await this.fetchContent(v, 'attachment'));
      const link = h('a', { href: url, download: v.file_name });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      this.say(error instanceof ApiError ? error.message : 'Could not download the document', 'error');
    }
  }

  private async review(
    document: DocumentEntry,
    v: DocumentVersion,
    decision: 'accepted' | 'rejected',
    reason?: string,
  ) {
    try {
      await answerOf(
        hub.POST('/api/documents/{id}/versions/{version}/review', {
          params: { path: { id: document.document_id, version: v.version } },
          body: { decision, ...(reason ? { reason } : {}) },
        }),
      );
      this.say(`${document.kind_label} version ${v.version} ${decision}`, 'ok');
    } catch (error) {
      this.say(error instanceof ApiError ? `${error.message} (${error.code})` : 'The review failed', 'error');
    }
    await this.load();
  }

  private askReason(document: DocumentEntry, v: DocumentVersion) {
    const text = h('textarea', {
      name: 'reason',
      rows: 2,
      'aria-label': 'Reason for rejecting',
      maxlength: 2000,
    }) as HTMLTextAreaElement;
    const form = h(
      'form',
      {
        class: 'action-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          if (!text.value.trim()) return this.say('A rejection needs a reason', 'error');
          void this.review(document, v, 'rejected', text.value.trim());
        },
      },
      h('label', {}, 'Reason for rejecting', text),
      h('button', { type: 'submit', class: 'danger', 'data-confirm': 'reject-document' }, 'Reject'),
    );
    replaceChildren(this.preview, form);
    text.focus();
  }

  private uploadForm(list: DocumentList): HTMLElement {
    const kind = h(
      'select',
      { name: 'kind', 'aria-label': 'Kind' },
      ...list.kinds.map((k) => h('option', { value: k.kind }, k.label)),
    ) as HTMLSelectElement;
    const title = h('input', {
      name: 'title',
      'aria-label': 'Title',
      placeholder: 'Title',
      maxlength: 200,
    }) as HTMLInputElement;
    const visible = h('input', { type: 'checkbox', name: 'client_visible' }) as HTMLInputElement;
    const picker = h('input', {
      type: 'file',
      name: 'file',
      accept: '.pdf,.png,.jpg,.jpeg,.docx,.xlsx',
      'aria-label': 'Choose a file',
    }) as HTMLInputElement;
    const progress = h('progress', { max: 1, value: 0, hidden: true }) as HTMLProgressElement;
    const send = async (file: File) => {
      if (!title.value.trim()) return this.say('Give the document a title first', 'error');
      const form = new FormData();
      form.append('kind', kind.value);
      form.append('title', title.value.trim());
      if (this.user.role !== 'client') form.append('client_visible', String(visible.checked));
      form.append('file', file, file.name);
      progress.hidden = false;
      progress.value = 0;
      this.say(`Uploading ${file.name}…`);
      try {
        await sendUpload(
          `/api/processes/${encodeURIComponent(this.processId)}/documents`,
          form,
          (fraction) => (progress.value = fraction),
        );
        this.say(`${file.name} uploaded`, 'ok');
        title.value = '';
      } catch (error) {
        this.say(error instanceof ApiError ? `${error.message} (${error.code})` : 'The upload failed', 'error');
      } finally {
        progress.hidden = true;
        picker.value = '';
        await this.load();
      }
    };
    picker.addEventListener('change', () => picker.files?.[0] && void send(picker.files[0]));
    const zone = h(
      'div',
      { class: 'drop-zone', 'data-drop': 'documents', tabindex: 0 },
      'Drop a PDF, image, Word or Excel file here, or ',
      picker,
    );
    zone.addEventListener('dragover', (event) => {
      event.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      zone.classList.remove('over');
      const file = event.dataTransfer?.files[0];
      if (file) void send(file);
    });
    return h(
      'div',
      { class: 'upload-form' },
      h(
        'div',
        { class: 'row' },
        kind,
        title,
        this.user.role !== 'client' && h('label', {}, visible, ' client can see'),
      ),
      zone,
      progress,
    );
  }
}
