/**
 * SHA-1 applied again and again to its own 20-byte output: the inner loop of the PKCS#12 key
 * derivation (RFC 7292 appendix B.2), run thousands of times per key. Each round is one
 * compression of a single, mostly constant block, so doing it here on 32-bit integers is
 * several times faster than a call into OpenSSL per round. FIPS 180-4 §6.1.
 */
const IV = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0] as const;

export function iterateSha1(digest: Uint8Array, rounds: number): Buffer {
  if (digest.length !== 20) throw new RangeError('iterateSha1 takes a 20-byte SHA-1 digest');
  const view = new DataView(digest.buffer, digest.byteOffset, 20);
  let [h0, h1, h2, h3, h4] = [0, 4, 8, 12, 16].map((offset) => view.getInt32(offset)) as [number, number, number, number, number];
  // The message schedule: words 0-4 are the previous digest, 5 the 0x80 padding byte, 6-14
  // zero, 15 the length (160 bits); 16-79 are derived from them each round.
  const w = new Int32Array(80);
  w[5] = 0x80000000 | 0;
  w[15] = 160;
  for (let round = 0; round < rounds; round++) {
    w[0] = h0;
    w[1] = h1;
    w[2] = h2;
    w[3] = h3;
    w[4] = h4;
    for (let t = 16; t < 80; t++) {
      const x = (w[t - 3] as number) ^ (w[t - 8] as number) ^ (w[t - 14] as number) ^ (w[t - 16] as number);
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = IV[0] | 0;
    let b = IV[1] | 0;
    let c = IV[2] | 0;
    let d = IV[3] | 0;
    let e = IV[4] | 0;
    for (let t = 0; t < 80; t++) {
      // The four ranges of 20 rounds differ only in f and the constant k.
      const f = t < 20 ? (b & c) | (~b & d) : t >= 40 && t < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
      const k = t < 20 ? 0x5a827999 : t < 40 ? 0x6ed9eba1 : t < 60 ? 0x8f1bbcdc | 0 : 0xca62c1d6 | 0;
      const next = (((a << 5) | (a >>> 27)) + f + e + k + (w[t] as number)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = next;
    }
    h0 = (a + IV[0]) | 0;
    h1 = (b + IV[1]) | 0;
    h2 = (c + IV[2]) | 0;
    h3 = (d + IV[3]) | 0;
    h4 = (e + IV[4]) | 0;
  }
  const out = Buffer.alloc(20);
  [h0, h1, h2, h3, h4].forEach((word, index) => out.writeInt32BE(word, index * 4));
  return out;
}
