import { DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import type { DocumentStore } from './document-store.js';

export interface S3StoreOptions {
  bucket: string;
  endpoint?: string;
  region: string;
  prefix?: string;
  forcePathStyle: boolean;
  /** Without them the SDK's own chain applies (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Documents in an S3-compatible bucket through the AWS SDK. Uploads stream in parts (lib-storage), so a file
 * is never held whole; a failed stream aborts the multipart upload and leaves no object.
 */
export function createS3Store(options: S3StoreOptions): DocumentStore {
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    // Other S3 implementations (Ceph, gateways) do not all take the SDK's default streaming checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const keyOf = (key: string) => `${options.prefix ?? ''}${key}`;
  return {
    backend: 's3',
    async put(key, body, mediaType) {
      const upload = new Upload({
        client,
        params: { Bucket: options.bucket, Key: keyOf(key), Body: body, ContentType: mediaType },
        queueSize: 2,
        leavePartsOnError: false,
      });
      await upload.done();
    },
    async get(key) {
      const answer = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: keyOf(key) }));
      if (!(answer.Body instanceof Readable)) throw new Error(`document ${key}: the object store sent no body`);
      return answer.Body;
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: keyOf(key) }));
    },
  };
}
