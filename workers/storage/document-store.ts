import type { Readable } from 'node:stream';
import type { HubConfig } from '../../runtime/config.js';
import { createFolderStore } from './folder-store.js';
import { createS3Store } from './s3-store.js';

/**
 * Where document bytes live. Keys are chosen by the hub and never reused; metadata stays in PostgreSQL.
 * `put` consumes the stream and either stores all of it or nothing (a failed stream leaves no object).
 */
export interface DocumentStore {
  readonly backend: 'folder' | 's3';
  put(key: string, body: Readable, mediaType: string): Promise<void>;
  /** The stored bytes; rejects when there is no object under the key. */
  get(key: string): Promise<Readable>;
  delete(key: string): Promise<void>;
}

/** S3-compatible storage when DOCUMENTS_S3_BUCKET is set, else a folder under HUB_DATA_DIR. */
export function createDocumentStore(config: HubConfig): DocumentStore {
  if (config.DOCUMENTS_S3_BUCKET) {
    return createS3Store({
      bucket: config.DOCUMENTS_S3_BUCKET,
      endpoint: config.DOCUMENTS_S3_ENDPOINT,
      region: config.DOCUMENTS_S3_REGION,
      prefix: config.DOCUMENTS_S3_PREFIX,
      forcePathStyle: config.DOCUMENTS_S3_FORCE_PATH_STYLE,
      credentials:
        config.DOCUMENTS_S3_ACCESS_KEY_ID && config.DOCUMENTS_S3_SECRET_ACCESS_KEY
          ? { accessKeyId: config.DOCUMENTS_S3_ACCESS_KEY_ID, secretAccessKey: config.DOCUMENTS_S3_SECRET_ACCESS_KEY }
          : undefined,
    });
  }
  return createFolderStore(config.DOCUMENTS_DIR);
}
