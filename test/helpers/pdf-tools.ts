// poppler's pdftotext and pdfsig on a PDF in memory. pdfsig exits 0 even on a digest mismatch, so callers read its output.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function withTempFile<T>(pdf: Buffer, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-pdf-'));
  try {
    const file = path.join(dir, 'doc.pdf');
    await writeFile(file, pdf);
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function pdfText(pdf: Buffer): Promise<string> {
  return withTempFile(pdf, async (file) => (await run('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout);
}

export function pdfsig(pdf: Buffer): Promise<string> {
  return withTempFile(pdf, async (file) => {
    try {
      const { stdout, stderr } = await run('pdfsig', [file]);
      return stdout + stderr;
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      return `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
  });
}

/** Flips one byte inside the first signed byte range (the document body, not the signature itself). */
export function flipSignedByte(pdf: Buffer): Buffer {
  const copy = Buffer.from(pdf);
  const at = Math.floor(pdf.indexOf('/ByteRange') / 2);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}
