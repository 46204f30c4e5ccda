/** PEM armour as OpenSSL writes it: base64 in 64-character lines, LF endings, a final newline. */
export function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export interface PemSpan {
  label: string;
  /** The text between the BEGIN and the END line. */
  body: string;
  /** The whole block, BEGIN and END lines included. */
  text: string;
}

/**
 * The PEM blocks of a text, in order: each BEGIN line with the first END line of its label after
 * it, as /-----BEGIN (L)-----([\s\S]*?)-----END \1-----/g finds them, in linear time. That
 * expression scans to the end of the text once for every BEGIN line without an END: a damaged
 * file of a few megabytes of BEGIN lines would keep it busy for minutes.
 */
export function pemBlocks(text: string): PemSpan[] {
  const ends = new Map<string, number[]>();
  for (const end of text.matchAll(/-----END ([A-Z0-9 #]+)-----/g)) {
    const label = end[1] ?? '';
    const positions = ends.get(label);
    if (positions) positions.push(end.index);
    else ends.set(label, [end.index]);
  }
  const nextEnd = new Map<string, number>();
  const blocks: PemSpan[] = [];
  const beginLine = /-----BEGIN ([A-Z0-9 #]+)-----/g;
  for (let begin = beginLine.exec(text); begin !== null; begin = beginLine.exec(text)) {
    const label = begin[1] ?? '';
    const bodyStart = begin.index + begin[0].length;
    const positions = ends.get(label) ?? [];
    let next = nextEnd.get(label) ?? 0;
    while (next < positions.length && (positions[next] ?? 0) < bodyStart) next++;
    nextEnd.set(label, next);
    const end = positions[next];
    if (end === undefined) {
      beginLine.lastIndex = begin.index + 1;
      continue;
    }
    const endLine = `-----END ${label}-----`;
    blocks.push({ label, body: text.slice(bodyStart, end), text: text.slice(begin.index, end + endLine.length) });
    beginLine.lastIndex = end + endLine.length;
  }
  return blocks;
}
