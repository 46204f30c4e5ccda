import { createHash, hash, randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { iterateSha1 } from '../../main/pki/iterated-sha1.js';

test('SHA-1 iterated in-process equals OpenSSL SHA-1 applied as many times', () => {
  for (const rounds of [0, 1, 2, 3, 64, 2048]) {
    for (let sample = 0; sample < 8; sample++) {
      const start = createHash('sha1').update(randomBytes(1 + sample * 37)).digest();
      let expected = start;
      for (let round = 0; round < rounds; round++) expected = hash('sha1', expected, 'buffer');
      expect(iterateSha1(start, rounds).toString('hex'), `${rounds} rounds`).toBe(expected.toString('hex'));
    }
  }
  // FIPS 180-4's own example: SHA-1("abc"), then once more over that digest.
  const abc = createHash('sha1').update('abc').digest();
  expect(abc.toString('hex')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  expect(iterateSha1(abc, 1).toString('hex')).toBe(createHash('sha1').update(abc).digest('hex'));
  // A view into a larger buffer is read at its own offset.
  const padded = Buffer.concat([Buffer.from([1, 2, 3]), abc]);
  expect(iterateSha1(padded.subarray(3), 5)).toEqual(iterateSha1(abc, 5));
  expect(() => iterateSha1(Buffer.alloc(19), 1)).toThrow(RangeError);
});
