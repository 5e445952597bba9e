import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DocumentStore } from './document-store.js';

/** Documents as files in a folder: written beside their name and renamed into place once complete. */
export function createFolderStore(root: string): DocumentStore {
  const pathOf = (key: string) => {
    const file = path.resolve(root, key);
    // Keys come from the hub, but a key that climbs out of the folder must never be honoured.
    if (!file.startsWith(path.resolve(root) + path.sep))
      throw new Error(`document key ${key} leaves the documents folder`);
    return file;
  };
  return {
    backend: 'folder',
    async put(key, body) {
      const file = pathOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const partial = `${file}.${randomBytes(6).toString('hex')}.partial`;
      try {
        await pipeline(body, createWriteStream(partial, { flags: 'wx' }));
        // Durable before the database says the document exists.
        const handle = await open(partial, 'r');
        await handle.sync().finally(() => handle.close());
        await rename(partial, file);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
    },
    async get(key) {
      const file = pathOf(key);
      const handle = await open(file, 'r');
      return createReadStream('', { fd: handle });
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
