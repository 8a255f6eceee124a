// File storage behind one interface: uploads and generated PDFs. Local disk under DATA_DIR by default;
// an object store can implement the same three methods.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface FileStorage {
  /** Stores the bytes and returns the key to read them back by. */
  put(data: Buffer, prefix: string): Promise<string>;
  get(key: string): Promise<Buffer>;
}

export class LocalFileStorage implements FileStorage {
  constructor(private readonly root: string) {}

  async put(data: Buffer, prefix: string): Promise<string> {
    const now = new Date();
    const key = path.posix.join(prefix, String(now.getUTCFullYear()), String(now.getUTCMonth() + 1).padStart(2, '0'), randomUUID());
    const target = this.resolve(key);
    await mkdir(path.dirname(target), { recursive: true });
    // Write then rename: a crash never leaves a half-written file under a key the database points to.
    const temporary = `${target}.tmp`;
    await writeFile(temporary, data);
    await rename(temporary, target);
    return key;
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.resolve(key));
  }

  private resolve(key: string): string {
    const target = path.resolve(this.root, key);
    if (!target.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`storage key escapes the root: ${key}`);
    return target;
  }
}
