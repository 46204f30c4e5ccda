import { closeSync, openSync, readSync } from 'node:fs';

/**
 * A file's bytes, or null when it holds more than `limit`: a pipe (`<(echo pw)`) is read as it
 * comes, and /dev/zero or a huge file stops at the limit instead of filling the memory. Errors
 * (ENOENT, EISDIR, EACCES…) are thrown as they are, for the caller to put in words.
 */
export function readFileUpTo(path: string, limit: number): Buffer | null {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, limit + 1 - total));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) return Buffer.concat(chunks, total);
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > limit) return null;
    }
  } finally {
    closeSync(fd);
  }
}
