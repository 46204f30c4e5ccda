// A small, deterministic fuzzer for the importers and the command line: a seeded PRNG
// (mulberry32), byte-level mutations, ASN.1-aware mutations (lengths, tags, integers, deep
// nesting, re-encoded so the damage sits deep inside an otherwise well-formed file), PEM armour
// mutations, and a checker for "an AppError a person can read, or a well-formed result".
//
// Reproduce a failure: the failing test prints its seed; run it again with FUZZ_SEED=<seed>.
// FUZZ_RUNS=<n> replaces each fuzz test's number of inputs (more for a long run, fewer for a quick one);
// FUZZ_BUDGET_MS=<ms> the time one input may take (default 2000).
import { ERROR_CODES, type ErrorCode, isAppError } from '../../main/errors.js';

/** The seed every run uses unless FUZZ_SEED says otherwise: the same inputs every time. */
export const DEFAULT_FUZZ_SEED = 0x7e57_f022;

export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.FUZZ_SEED?.trim();
  if (!text) return DEFAULT_FUZZ_SEED;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`FUZZ_SEED must be an integer (decimal or 0x…), not "${text}"`);
  return value >>> 0;
}

/** How many inputs a fuzz test feeds: its default, or FUZZ_RUNS. */
export function fuzzRuns(defaultRuns: number, env: NodeJS.ProcessEnv = process.env): number {
  const text = env.FUZZ_RUNS?.trim();
  if (!text) return defaultRuns;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`FUZZ_RUNS must be a positive integer, not "${text}"`);
  return value;
}

/** mulberry32: a tiny 32-bit PRNG, good enough to spread mutations and fully reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a label, so each stream (corpus file, command) gets its own sequence from one seed. */
function hashLabel(label: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

export class Rng {
  private readonly next: () => number;
  constructor(
    readonly seed: number,
    readonly label = '',
  ) {
    this.next = mulberry32((seed ^ hashLabel(label)) >>> 0);
  }

  /** 0 ≤ n < max. */
  int(max: number): number {
    return Math.floor(this.next() * Math.max(1, max));
  }

  /** min ≤ n ≤ max. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  bytes(count: number): Buffer {
    const out = Buffer.alloc(count);
    for (let i = 0; i < count; i++) out[i] = this.int(256);
    return out;
  }

  /** Small sizes mostly, now and then a large one. */
  size(): number {
    return this.pick([0, 1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 64, 127, 128, 255, 256, 1000, 4096, this.range(0, 65_536)]);
  }
}

/** One mutated input and how it was made (printed when it breaks something). */
export interface Mutant {
  bytes: Buffer;
  steps: string[];
}

// ---------------------------------------------------------------------------------------------
// Byte-level mutations

const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x1e, 0x1f, 0x20, 0x24, 0x30, 0x31, 0x7f, 0x80, 0x81, 0x82, 0x84, 0x88, 0xa0, 0xa3, 0xfe, 0xff];

type ByteMutation = (rng: Rng, bytes: Buffer, corpus: readonly Buffer[]) => { bytes: Buffer; step: string };

const BYTE_MUTATIONS: readonly ByteMutation[] = [
  (rng, bytes) => {
    const out = Buffer.from(bytes);
    const flips = rng.range(1, 8);
    for (let i = 0; i < flips && out.length > 0; i++) {
      const at = rng.int(out.length);
      out[at] = (out[at] ?? 0) ^ (1 << rng.int(8));
    }
    return { bytes: out, step: `flip ${flips} bit(s)` };
  },
  (rng, bytes) => {
    const out = Buffer.from(bytes);
    if (out.length === 0) return { bytes: out, step: 'set byte (empty)' };
    const at = rng.int(out.length);
    const value = rng.pick(INTERESTING_BYTES);
    out[at] = value;
    return { bytes: out, step: `set byte ${at} = 0x${value.toString(16)}` };
  },
  (rng, bytes) => {
    const at = rng.int(bytes.length + 1);
    const inserted = rng.chance(0.5) ? rng.bytes(rng.range(1, 32)) : Buffer.alloc(rng.range(1, 8), rng.pick(INTERESTING_BYTES));
    return { bytes: Buffer.concat([bytes.subarray(0, at), inserted, bytes.subarray(at)]), step: `insert ${inserted.length} byte(s) at ${at}` };
  },
  (rng, bytes) => {
    const at = rng.int(bytes.length);
    const count = rng.range(1, Math.max(1, Math.min(64, bytes.length - at)));
    return { bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + count)]), step: `delete ${count} byte(s) at ${at}` };
  },
  (rng, bytes) => {
    const at = rng.int(bytes.length);
    const count = rng.range(1, Math.max(1, Math.min(256, bytes.length - at)));
    const copies = rng.pick([1, 2, 10]);
    const chunk = bytes.subarray(at, at + count);
    return { bytes: Buffer.concat([bytes.subarray(0, at + count), ...Array.from({ length: copies }, () => chunk), bytes.subarray(at + count)]), step: `duplicate ${count} byte(s) at ${at} ×${copies}` };
  },
  (rng, bytes) => {
    const at = rng.int(bytes.length + 1);
    return { bytes: bytes.subarray(0, at), step: `truncate at ${at}` };
  },
  (rng, bytes) => {
    const at = rng.int(bytes.length + 1);
    return { bytes: bytes.subarray(at), step: `drop the first ${at} byte(s)` };
  },
  (rng, bytes) => {
    const garbage = rng.bytes(rng.size());
    return { bytes: Buffer.concat([bytes, garbage]), step: `append ${garbage.length} random byte(s)` };
  },
  (rng, bytes, corpus) => {
    const other = rng.pick(corpus);
    const cut = rng.int(bytes.length + 1);
    const from = rng.int(other.length + 1);
    return { bytes: Buffer.concat([bytes.subarray(0, cut), other.subarray(from)]), step: `splice another file at ${cut} (from its byte ${from})` };
  },
  (rng, bytes) => {
    const a = rng.int(bytes.length);
    const b = rng.int(bytes.length);
    const [start, end] = a < b ? [a, b] : [b, a];
    const out = Buffer.from(bytes);
    out.subarray(start, end).reverse();
    return { bytes: out, step: `reverse bytes ${start}..${end}` };
  },
];

export function mutateBytes(rng: Rng, bytes: Buffer, corpus: readonly Buffer[]): { bytes: Buffer; step: string } {
  return rng.pick(BYTE_MUTATIONS)(rng, bytes, corpus);
}

/** Inputs that are not a mutation of anything: nothing, noise, text. */
export function garbage(rng: Rng): Mutant {
  switch (rng.int(6)) {
    case 0:
      return { bytes: Buffer.alloc(0), steps: ['zero-length'] };
    case 1:
      return { bytes: rng.bytes(rng.size()), steps: ['random bytes'] };
    case 2:
      return { bytes: Buffer.alloc(rng.range(1, 5000), rng.pick([0x00, 0x0a, 0x20, 0x30, 0xff])), steps: ['one byte repeated'] };
    case 3:
      return { bytes: Buffer.from(rng.pick(['\n', '\r\n\r\n', ' \t ', '\ufeff', '-----', '-----BEGIN', '-----BEGIN CERTIFICATE-----', '0', '{}', 'null', 'MII', 'MIIB\n'])), steps: ['short text'] };
    case 4:
      return { bytes: Buffer.from([0x30, rng.int(256), ...rng.bytes(rng.range(0, 40))]), steps: ['SEQUENCE header and noise'] };
    default:
      return { bytes: Buffer.from(rng.bytes(rng.range(16, 3000)).toString('base64')), steps: ['random base64 text'] };
  }
}

// ---------------------------------------------------------------------------------------------
// DER: a lenient tree for well-formed corpus files, re-encoded after a structural mutation

export interface DerNode {
  /** The identifier octets (tag), as in the file. */
  identifier: Buffer;
  /** Parsed children of a constructed element, or of an OCTET/BIT STRING that holds DER. */
  children: DerNode[] | null;
  /** The content octets when there are no children (a BIT STRING keeps its unused-bits byte here). */
  content: Buffer;
  /** Set by a mutation: these bytes replace the whole element when encoding. */
  raw?: Buffer;
}

const MAX_PARSE_DEPTH = 100;

interface Header {
  identifier: Buffer;
  constructed: boolean;
  tagNumber: number;
  tagClass: number;
  contentStart: number;
  length: number;
}

function readHeader(bytes: Buffer, offset: number, limit: number): Header | null {
  let position = offset;
  if (position >= limit) return null;
  const first = bytes[position++] ?? 0;
  let tagNumber = first & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (let count = 0; ; count++) {
      if (position >= limit || count > 4) return null;
      const next = bytes[position++] ?? 0;
      tagNumber = tagNumber * 128 + (next & 0x7f);
      if ((next & 0x80) === 0) break;
    }
  }
  const identifier = bytes.subarray(offset, position);
  if (position >= limit) return null;
  const lengthByte = bytes[position++] ?? 0;
  let length = lengthByte;
  if (lengthByte === 0x80) return null; // indefinite: the corpus is DER; leave such parts opaque
  if (lengthByte & 0x80) {
    const octets = lengthByte & 0x7f;
    if (octets > 4 || position + octets > limit) return null;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + (bytes[position++] ?? 0);
  }
  if (position + length > limit) return null;
  return { identifier, constructed: (first & 0x20) !== 0, tagNumber, tagClass: first >> 6, contentStart: position, length };
}

function parseSequenceOf(bytes: Buffer, start: number, end: number, depth: number): DerNode[] | null {
  if (depth > MAX_PARSE_DEPTH) return null;
  const nodes: DerNode[] = [];
  for (let cursor = start; cursor < end; ) {
    const header = readHeader(bytes, cursor, end);
    if (!header) return null;
    const contentEnd = header.contentStart + header.length;
    const content = bytes.subarray(header.contentStart, contentEnd);
    let children: DerNode[] | null = null;
    if (header.constructed) {
      children = parseSequenceOf(bytes, header.contentStart, contentEnd, depth + 1);
    } else if (header.tagClass === 0 && header.tagNumber === 4 && content.length > 1 && (content[0] === 0x30 || content[0] === 0x31)) {
      // An OCTET STRING holding DER (PKCS#12 safes, certificate extensions): mutate inside it too.
      children = parseSequenceOf(bytes, header.contentStart, contentEnd, depth + 1);
    }
    nodes.push({ identifier: Buffer.from(header.identifier), children, content: Buffer.from(content) });
    cursor = contentEnd;
  }
  return nodes;
}

/** The elements of a DER file, or null when it is not DER all the way through. */
export function parseDer(bytes: Buffer): DerNode[] | null {
  const nodes = parseSequenceOf(bytes, 0, bytes.length, 0);
  return nodes && nodes.length > 0 ? nodes : null;
}

export function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const octets: number[] = [];
  for (let value = length; value > 0; value = Math.floor(value / 256)) octets.unshift(value % 256);
  return Buffer.from([0x80 | octets.length, ...octets]);
}

export function encodeNode(node: DerNode): Buffer {
  if (node.raw) return node.raw;
  const content = node.children ? Buffer.concat(node.children.map(encodeNode)) : node.content;
  return Buffer.concat([node.identifier, encodeLength(content.length), content]);
}

export function encodeDer(nodes: readonly DerNode[]): Buffer {
  return Buffer.concat(nodes.map(encodeNode));
}

interface Located {
  node: DerNode;
  parent: DerNode[];
  index: number;
}

function allNodes(nodes: DerNode[]): Located[] {
  const out: Located[] = [];
  const walk = (list: DerNode[]): void => {
    list.forEach((node, index) => {
      out.push({ node, parent: list, index });
      if (node.children) walk(node.children);
    });
  };
  walk(nodes);
  return out;
}

/** `count` layers of `identifier` around `inner`, with definite lengths (built outside in, without recursion). */
export function nestDefinite(inner: Buffer, identifier: number, count: number): Buffer {
  const lengths: number[] = [];
  let length = inner.length;
  for (let i = 0; i < count; i++) {
    lengths.push(length);
    length += 1 + encodeLength(length).length;
  }
  const parts: Buffer[] = [];
  for (let i = count - 1; i >= 0; i--) parts.push(Buffer.from([identifier]), encodeLength(lengths[i] ?? 0));
  parts.push(inner);
  return Buffer.concat(parts);
}

/** `count` layers of `identifier` with indefinite lengths (BER), each closed by end-of-contents. */
export function nestIndefinite(inner: Buffer, identifier: number, count: number): Buffer {
  return Buffer.concat([Buffer.alloc(count * 2, Buffer.from([identifier, 0x80])), inner, Buffer.alloc(count * 2, 0)]);
}

/** Two's-complement DER INTEGER content for a bigint. */
function integerContent(value: bigint): Buffer {
  if (value === 0n) return Buffer.from([0]);
  const bytes: number[] = [];
  let v = value;
  for (;;) {
    bytes.unshift(Number(BigInt.asUintN(8, v)));
    v >>= 8n;
    const sign = (bytes[0] ?? 0) & 0x80;
    if ((v === 0n && !sign) || (v === -1n && sign)) break;
  }
  return Buffer.from(bytes);
}

/** Integers that break counters, lengths and versions: zero, negative, at type limits, huge. */
const INTERESTING_INTEGERS: readonly bigint[] = [0n, 1n, -1n, 2n, 3n, 127n, 128n, 255n, 256n, -128n, 65_535n, 65_536n, 100_000n, 5_000_001n, 16_777_216n, 2n ** 31n, 2n ** 32n + 1n, 2n ** 53n, 2n ** 64n, -(2n ** 63n), 2n ** 200n];

/** Tags to confuse types with: strings of every kind, times, containers, primitive/constructed swapped, long form. */
const INTERESTING_IDENTIFIERS: readonly number[] = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1a, 0x1c, 0x1e, 0x23, 0x24, 0x26, 0x2c, 0x30, 0x31, 0x10, 0x11, 0x80, 0x81, 0x86, 0xa0, 0xa1, 0xa3, 0xbf, 0xff];

const STRING_AND_TIME_TAGS = new Set([0x0c, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1a, 0x1c, 0x1e, 0x81, 0x82, 0x86]);

interface TreeMutation {
  /** The elements it is aimed at most of the time (null: any). */
  prefers: ((node: DerNode) => boolean) | null;
  apply(rng: Rng, target: Located, corpusNodes: readonly DerNode[]): string;
}

/** Strings and times with what decoders choke on: invalid UTF-8/UTF-16/UTF-32, impossible dates, no digits. */
const AWKWARD_TEXT: readonly number[][] = [
  [0xff, 0xff, 0xff, 0xff],
  [0x00, 0x11, 0x00, 0x00, 0xd8, 0x00],
  [0xc3],
  [0xed, 0xa0, 0x80],
  [0x00],
  [0x32, 0x30, 0x39, 0x39, 0x31, 0x33, 0x34, 0x30, 0x32, 0x35, 0x36, 0x30, 0x5a],
  [0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39, 0x5a],
  [0x5a],
];

const TREE_MUTATIONS: readonly TreeMutation[] = [
  {
    prefers: (node) => node.identifier[0] === 0x02,
    apply(rng, { node }) {
      const value = rng.pick(INTERESTING_INTEGERS);
      node.identifier = Buffer.from([0x02]);
      node.children = null;
      node.content = integerContent(value);
      return `INTEGER ${value}`;
    },
  },
  {
    prefers: null,
    apply(rng, { node }) {
      const longForm = Buffer.from([0x1f | ((node.identifier[0] ?? 0) & 0xe0), 0x87, 0xff, 0xff, 0x7f]);
      node.identifier = rng.chance(0.1) ? longForm : Buffer.from([rng.pick(INTERESTING_IDENTIFIERS)]);
      return `tag → ${node.identifier.toString('hex')}`;
    },
  },
  {
    prefers: null,
    apply(rng, { node }) {
      node.identifier = Buffer.from([(node.identifier[0] ?? 0) ^ 0x20, ...node.identifier.subarray(1)]);
      if (!node.children && rng.chance(0.5)) node.content = Buffer.concat([Buffer.from([0x04, Math.min(node.content.length, 127)]), node.content.subarray(0, 127)]);
      return 'primitive ↔ constructed';
    },
  },
  {
    prefers: null,
    apply(_rng, { parent, index }) {
      parent.splice(index, 1);
      return 'delete element';
    },
  },
  {
    prefers: null,
    apply(rng, { node, parent, index }) {
      const copies = rng.pick([1, 2, 50]);
      parent.splice(index, 0, ...Array.from({ length: copies }, () => cloneNode(node)));
      return `duplicate element ×${copies}`;
    },
  },
  {
    prefers: null,
    apply(_rng, { parent, index }) {
      const next = (index + 1) % parent.length;
      const [a, b] = [parent[index], parent[next]];
      if (a && b) [parent[index], parent[next]] = [b, a];
      return 'swap with sibling';
    },
  },
  {
    prefers: null,
    apply(rng, { node }) {
      const count = rng.pick([2, 63, 64, 65, 200, 5_000, 60_000]);
      const identifier = rng.pick([0x30, 0x31, 0x24, 0x23, 0x26, 0x2c, 0xa0, (node.identifier[0] ?? 0x30) | 0x20]);
      node.raw = rng.chance(0.5) ? nestDefinite(encodeNode(node), identifier, count) : nestIndefinite(encodeNode(node), identifier, count);
      return `nest ${count} deep in 0x${identifier.toString(16)}`;
    },
  },
  {
    prefers: null,
    apply(rng, { node }) {
      node.children = null;
      node.content = rng.chance(0.3) ? Buffer.alloc(0) : rng.bytes(rng.size());
      return `content → ${node.content.length} random byte(s)`;
    },
  },
  {
    prefers: (node) => STRING_AND_TIME_TAGS.has(node.identifier[0] ?? 0),
    apply(rng, { node }) {
      node.children = null;
      node.content = Buffer.from(rng.pick(AWKWARD_TEXT));
      return `content → awkward text bytes ${node.content.toString('hex')}`;
    },
  },
  {
    prefers: (node) => node.identifier[0] === 0x06,
    apply(rng, { node }) {
      // OIDs: endless continuation, huge arcs, empty, one arc changed.
      node.identifier = Buffer.from([0x06]);
      const changed = Buffer.from(node.children ? Buffer.alloc(0) : node.content);
      if (changed.length > 0) changed[rng.int(changed.length)] = rng.int(128);
      node.children = null;
      node.content = rng.pick([changed, changed, Buffer.alloc(0), Buffer.alloc(rng.pick([9, 100, 10_000]), 0xff), Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x81])]);
      return `OID content → ${node.content.subarray(0, 12).toString('hex')}${node.content.length > 12 ? '…' : ''}`;
    },
  },
  {
    prefers: null,
    apply(rng, { node }, corpusNodes) {
      node.raw = encodeNode(rng.pick(corpusNodes));
      return 'replace with an element of another file';
    },
  },
  {
    prefers: null,
    apply(rng, { node }) {
      const encoded = encodeNode(node);
      const copies = Math.max(1, Math.min(rng.pick([2, 100, 5_000]), Math.floor(MAX_MUTANT_BYTES / Math.max(1, encoded.length))));
      node.raw = Buffer.concat([node.identifier, encodeLength(encoded.length * copies), ...Array.from({ length: copies }, () => encoded)]);
      return `wrap ${copies} copies of the element in its own tag`;
    },
  },
];

function cloneNode(node: DerNode): DerNode {
  return { identifier: Buffer.from(node.identifier), children: node.children ? node.children.map(cloneNode) : null, content: Buffer.from(node.content), ...(node.raw ? { raw: node.raw } : {}) };
}

const elementCache = new WeakMap<Buffer, DerNode[]>();

/** Every element of a donor file (parsed once; mutations clone nothing from it, they encode it). */
function elementsOf(donor: Buffer): DerNode[] {
  let elements = elementCache.get(donor);
  if (!elements) {
    const parsed = parseDer(donor);
    elements = parsed ? allNodes(parsed).map((entry) => entry.node) : [];
    elementCache.set(donor, elements);
  }
  return elements;
}

/** An ASN.1-aware mutation of a DER file, re-encoded so every enclosing length is right again; null when the file is not DER. */
export function mutateDerTree(rng: Rng, bytes: Buffer, donors: readonly Buffer[] = []): { bytes: Buffer; step: string } | null {
  const tree = parseDer(bytes);
  if (!tree) return null;
  const located = allNodes(tree);
  const donorNodes = donors.flatMap(elementsOf);
  const mutation = rng.pick(TREE_MUTATIONS);
  const { prefers } = mutation;
  const preferred = prefers ? located.filter((entry) => prefers(entry.node)) : [];
  const target = preferred.length > 0 && rng.chance(0.8) ? rng.pick(preferred) : rng.pick(located);
  const step = mutation.apply(rng, target, donorNodes.length > 0 ? donorNodes : located.map((entry) => entry.node));
  return { bytes: encodeDer(tree), step: `asn1: ${step} (element ${located.indexOf(target)} of ${located.length})` };
}

/** Where each element's length field is, for mutations that make it lie. */
function lengthFields(bytes: Buffer): Array<{ lengthOffset: number; lengthSize: number }> {
  const out: Array<{ lengthOffset: number; lengthSize: number }> = [];
  const walk = (start: number, end: number, depth: number): void => {
    for (let cursor = start; cursor < end && depth < MAX_PARSE_DEPTH; ) {
      const header = readHeader(bytes, cursor, end);
      if (!header) return;
      const lengthOffset = cursor + header.identifier.length;
      out.push({ lengthOffset, lengthSize: header.contentStart - lengthOffset });
      const contentEnd = header.contentStart + header.length;
      if (header.constructed) walk(header.contentStart, contentEnd, depth + 1);
      cursor = contentEnd;
    }
  };
  walk(0, bytes.length, 0);
  return out;
}

const LYING_LENGTHS: readonly Buffer[] = [
  Buffer.from([0x84, 0xff, 0xff, 0xff, 0xff]),
  Buffer.from([0x84, 0x7f, 0xff, 0xff, 0xff]),
  Buffer.from([0x88, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
  Buffer.from([0x85, 0x01, 0x00, 0x00, 0x00, 0x00]),
  Buffer.from([0xff]),
  Buffer.from([0x80]),
  Buffer.from([0x00]),
  Buffer.from([0x81]),
  Buffer.from([0x82, 0x00]),
  Buffer.from([0x81, 0x05]),
  Buffer.from([0x7f]),
];

/** Makes one element's length lie (huge, zero, indefinite, malformed, off by one), leaving the rest as it was. */
export function mutateDerLength(rng: Rng, bytes: Buffer): { bytes: Buffer; step: string } | null {
  const fields = lengthFields(bytes);
  if (fields.length === 0) return null;
  const field = rng.pick(fields);
  let replacement: Buffer;
  if (rng.chance(0.4)) {
    let current = 0;
    const lengthByte = bytes[field.lengthOffset] ?? 0;
    if (lengthByte & 0x80) for (let i = 1; i < field.lengthSize; i++) current = current * 256 + (bytes[field.lengthOffset + i] ?? 0);
    else current = lengthByte;
    replacement = encodeLength(Math.max(0, current + rng.pick([-2, -1, 1, 2, 1000])));
  } else {
    replacement = rng.pick(LYING_LENGTHS);
  }
  return {
    bytes: Buffer.concat([bytes.subarray(0, field.lengthOffset), replacement, bytes.subarray(field.lengthOffset + field.lengthSize)]),
    step: `length at ${field.lengthOffset} → ${replacement.toString('hex')}`,
  };
}

// ---------------------------------------------------------------------------------------------
// PEM armour

/** The PEM blocks of a text (as the importer's own regular expression found them), with where each sits. */
export function pemBlocksOf(text: string): Array<{ label: string; der: Buffer; start: number; end: number }> {
  const blocks: Array<{ label: string; der: Buffer; start: number; end: number }> = [];
  for (const match of text.matchAll(/-----BEGIN ([A-Z0-9 #]+)-----([\s\S]*?)-----END \1-----/g)) {
    blocks.push({ label: match[1] ?? '', der: Buffer.from((match[2] ?? '').replace(/\s+/g, ''), 'base64'), start: match.index ?? 0, end: (match.index ?? 0) + match[0].length });
  }
  return blocks;
}

export function armour(label: string, der: Buffer, lineLength = 64): string {
  const base64 = der.toString('base64');
  const lines = base64.match(new RegExp(`.{1,${lineLength}}`, 'g')) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

const LABELS = ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE', 'PKCS7', 'CMS', 'CERTIFICATE CHAIN', 'CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST', 'PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'PUBLIC KEY', 'X509 CRL', 'PKCS #7 SIGNED DATA', 'certificate', 'CERTIFICATE ', 'FOO', '#', ' '];

type TextMutation = (rng: Rng, text: string, donors: readonly Buffer[]) => { text: string; step: string };

function replaceRandom(rng: Rng, text: string, pattern: RegExp, replacement: (match: string) => string): string {
  const matches = [...text.matchAll(pattern)];
  if (matches.length === 0) return text;
  const chosen = rng.pick(matches);
  const at = chosen.index ?? 0;
  return text.slice(0, at) + replacement(chosen[0]) + text.slice(at + chosen[0].length);
}

const TEXT_MUTATIONS: readonly TextMutation[] = [
  (rng, text) => {
    // Corrupt the base64 body: characters that are not base64, lost characters, stray padding.
    const chars = [...text];
    const bodyPositions = chars.map((c, i) => (/[A-Za-z0-9+/]/.test(c) ? i : -1)).filter((i) => i >= 0);
    const edits = rng.range(1, 6);
    for (let e = 0; e < edits && bodyPositions.length > 0; e++) {
      const at = rng.pick(bodyPositions);
      chars[at] = rng.pick(['!', '*', '-', '\u0000', 'é', '=', '==', ' ', '\t', '', '', '\u2028', 'A', '/']);
    }
    return { text: chars.join(''), step: `corrupt ${edits} base64 character(s)` };
  },
  (rng, text) => {
    const label = rng.pick(LABELS);
    return { text: replaceRandom(rng, text, /-----(BEGIN|END) [A-Z0-9 #]+-----/g, (match) => match.replace(/(BEGIN|END) [A-Z0-9 #]+/, (_m, word: string) => `${word} ${label}`)), step: `relabel a BEGIN/END line as ${JSON.stringify(label)}` };
  },
  (rng, text) => {
    const which = rng.pick(['BEGIN', 'END']);
    return { text: replaceRandom(rng, text, new RegExp(`-----${which} [A-Z0-9 #]+-----\\r?\\n?`, 'g'), () => ''), step: `remove a ${which} line` };
  },
  (rng, text) => {
    const variant = rng.int(5);
    const converted = [text.replace(/\n/g, '\r\n'), text.replace(/\n/g, '\r'), text.replace(/\r?\n/g, ''), text.replace(/\n/g, '\n\n'), text.replace(/\n/g, ' \t\n  ')][variant] ?? text;
    return { text: converted, step: `line ends variant ${variant}` };
  },
  (rng, text) => {
    const prefix = rng.pick(['\ufeff', 'Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\n', 'Subject: x\n', '   ', '\u0000\u0000']);
    return { text: replaceRandom(rng, text, /-----BEGIN [A-Z0-9 #]+-----\r?\n/g, (match) => match + prefix), step: `insert ${JSON.stringify(prefix.slice(0, 20))} after a BEGIN line` };
  },
  (rng, text) => {
    const copies = Math.max(1, Math.min(rng.pick([2, 3, 100]), Math.floor(MAX_MUTANT_BYTES / Math.max(1, text.length))));
    return { text: Array.from({ length: copies }, () => text).join(rng.pick(['', '\n', '\r\n-- \n'])), step: `the whole text ×${copies}` };
  },
  (rng, text) => {
    const at = rng.int(text.length + 1);
    const inserted = rng.pick(['-----BEGIN CERTIFICATE-----\n', '-----END CERTIFICATE-----\n', '-----BEGIN PKCS7-----\n', '-----', ':', '\u0000', 'MIIB', '\n\n\n']);
    return { text: text.slice(0, at) + inserted + text.slice(at), step: `insert ${JSON.stringify(inserted)} at ${at}` };
  },
  (rng, text, donors) => {
    // Re-armour a block after an ASN.1-aware mutation of its DER: the damage is inside a well-formed PEM.
    const blocks = pemBlocksOf(text);
    if (blocks.length === 0) return { text, step: 're-armour (no block)' };
    const block = rng.pick(blocks);
    const mutated = (rng.chance(0.7) ? mutateDerTree(rng, block.der, donors) : mutateDerLength(rng, block.der)) ?? mutateBytes(rng, block.der, donors);
    return { text: text.slice(0, block.start) + armour(block.label, mutated.bytes, rng.pick([64, 64, 76, 1_000_000])).trimEnd() + text.slice(block.end), step: `block ${block.label}: ${mutated.step}` };
  },
  (rng, text) => {
    const blocks = pemBlocksOf(text);
    if (blocks.length === 0) return { text, step: 'truncate a block (no block)' };
    const block = rng.pick(blocks);
    const at = block.start + rng.int(block.end - block.start);
    return { text: text.slice(0, at) + text.slice(block.end), step: 'cut a block short' };
  },
  (rng, text) => {
    const blocks = pemBlocksOf(text);
    const only = blocks.length > 0 ? text.slice(rng.pick(blocks).start).replace(/-----(BEGIN|END) [^-]*-----/g, '') : text;
    return { text: only, step: 'bare base64 (armour removed)' };
  },
];

export function mutateText(rng: Rng, text: string, donors: readonly Buffer[]): { text: string; step: string } {
  return rng.pick(TEXT_MUTATIONS)(rng, text, donors);
}

/**
 * Mutants stay within what a front door hands on (pasted text is at most 1,000,000 characters;
 * files up to 10 MB are read): larger inputs have their own test, with a time limit of their own.
 */
export const MAX_MUTANT_BYTES = 1_000_000;

/** One to three mutations of a seed file, chosen for its kind (PEM text or DER). */
export function mutate(rng: Rng, seed: Buffer, corpus: readonly Buffer[], kind: 'pem' | 'der'): Mutant {
  if (rng.chance(0.03)) return garbage(rng);
  let bytes = seed;
  const steps: string[] = [];
  const rounds = rng.pick([1, 1, 1, 2, 2, 3]);
  const ders = corpus.filter((item) => item[0] === 0x30);
  for (let round = 0; round < rounds; round++) {
    const roll = rng.int(10);
    let result: { bytes: Buffer; step: string } | null = null;
    if (kind === 'pem' && roll < 6) {
      const text = mutateText(rng, bytes.toString('latin1'), ders);
      result = { bytes: Buffer.from(text.text, 'latin1'), step: text.step };
    } else if (kind === 'der' && roll < 5) {
      result = mutateDerTree(rng, bytes, ders);
    } else if (kind === 'der' && roll < 7) {
      result = mutateDerLength(rng, bytes);
    }
    if (!result || result.bytes.length > MAX_MUTANT_BYTES) result = mutateBytes(rng, bytes, corpus);
    if (result.bytes.length > MAX_MUTANT_BYTES) continue;
    bytes = result.bytes;
    steps.push(result.step);
  }
  if (kind === 'pem' && bytes.length <= MAX_MUTANT_BYTES / 2 && rng.chance(0.03)) {
    bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bytes.toString('latin1'), 'utf16le')]);
    steps.push('saved as UTF-16LE with a byte order mark');
  }
  return { bytes, steps };
}

// ---------------------------------------------------------------------------------------------
// What a person may see

export interface Problem {
  index: number;
  steps: string[];
  problem: string;
}

/** Traces of the machinery that a person must never see. */
const LEAKS: ReadonlyArray<[RegExp, string]> = [
  [/^\s+at /m, 'a stack trace line'],
  [/node:internal/, '"node:internal"'],
  [/\/(main|out)\/[\w/-]+\.(ts|js)/, 'a path of our sources'],
  [/\b(TypeError|RangeError|ReferenceError|SyntaxError|AssertionError)\b/, 'a JavaScript error name'],
  [/Maximum call stack/i, 'a stack overflow'],
  [/\bundefined\b|\[object Object\]|\bNaN\b/, 'undefined, NaN or [object Object]'],
  [/forge|asn1\.js|ERR_OSSL|error:[0-9A-F]{8}:/i, 'a library internal'],
];

/** null when the message is one a person may see; else what is wrong with it. */
export function messageProblem(message: string): string | null {
  if (message.trim() === '') return 'an empty message';
  for (const [pattern, what] of LEAKS) if (pattern.test(message)) return `${what} in the message: ${JSON.stringify(message.slice(0, 300))}`;
  return null;
}

/** null when `error` is an AppError with a known code (not 'internal') and a readable message; else what is wrong. */
export function appErrorProblem(error: unknown): string | null {
  if (!isAppError(error)) {
    const name = error instanceof Error ? error.name : typeof error;
    const message = error instanceof Error ? error.message : String(error);
    const where = error instanceof Error ? (error.stack ?? '').split('\n').slice(1, 4).join(' | ') : '';
    return `threw ${name} instead of an AppError: ${message.slice(0, 300)}${where ? ` [${where}]` : ''}`;
  }
  return errorPayloadProblem({ code: error.code, message: error.message });
}

export function errorPayloadProblem(payload: { code: unknown; message: unknown }): string | null {
  if (typeof payload.code !== 'string' || !(ERROR_CODES as readonly string[]).includes(payload.code)) return `unknown error code ${JSON.stringify(payload.code)}`;
  if ((payload.code as ErrorCode) === 'internal') return `code "internal" (an unexpected failure): ${String(payload.message).slice(0, 400)}`;
  if (typeof payload.message !== 'string') return 'no message';
  return messageProblem(payload.message);
}

/** A per-input time budget: generous for a busy machine, far below a hang. */
export const INPUT_BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 2000);

/**
 * Runs `count` cases: make(i) builds the input, check(input) runs it and returns null (fine) or
 * a problem. Collects every problem (the first 12 with their steps) instead of stopping at one.
 */
export async function fuzzLoop<T extends { steps: string[] }>(
  count: number,
  make: (index: number) => T,
  check: (input: T, index: number) => Promise<string | null> | string | null,
  budgetMs = INPUT_BUDGET_MS,
): Promise<{ problems: Problem[]; slowest: { ms: number; index: number; steps: string[] } }> {
  const problems: Problem[] = [];
  let slowest = { ms: 0, index: -1, steps: [] as string[] };
  for (let index = 0; index < count; index++) {
    const input = make(index);
    const started = performance.now();
    let problem: string | null;
    try {
      problem = await check(input, index);
    } catch (error) {
      problem = `the check itself threw: ${error instanceof Error ? error.stack : String(error)}`;
    }
    const ms = performance.now() - started;
    if (ms > slowest.ms) slowest = { ms, index, steps: input.steps };
    if (!problem && ms > budgetMs) problem = `took ${Math.round(ms)} ms (budget ${budgetMs} ms): a hang on a larger input`;
    if (problem) problems.push({ index, steps: input.steps, problem });
  }
  return { problems, slowest };
}

/** The problems as one readable report (at most `limit`), for an assertion message. */
export function report(seed: number, label: string, problems: readonly Problem[], limit = 12): string {
  const shown = problems.slice(0, limit).map((p) => `#${p.index} [${p.steps.join(' → ')}]\n    ${p.problem}`);
  return `${label}: ${problems.length} problem(s) with FUZZ_SEED=${seed} (0x${seed.toString(16)})\n${shown.join('\n')}`;
}
