/**
 * What writing would change in a file that is already there: removed lines and added lines,
 * from a longest-common-subsequence of the lines (the files are small scripts).
 */
type Line = { kind: 'same' | 'removed' | 'added'; text: string };

export function diffLines(before: string, after: string): Line[] {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  const common: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const row = common[i] as number[];
      row[j] = a[i] === b[j] ? ((common[i + 1] as number[])[j + 1] ?? 0) + 1 : Math.max((common[i + 1] as number[])[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const lines: Line[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ kind: 'same', text: a[i] ?? '' });
      i++;
      j++;
    } else if (i < a.length && (j >= b.length || ((common[i + 1] as number[])[j] ?? 0) >= ((common[i] as number[])[j + 1] ?? 0))) {
      lines.push({ kind: 'removed', text: a[i] ?? '' });
      i++;
    } else {
      lines.push({ kind: 'added', text: b[j] ?? '' });
      j++;
    }
  }
  return lines;
}

export function LineDiff({ before, after }: { before: string; after: string }) {
  const changed = diffLines(before, after).filter((line) => line.kind !== 'same');
  return (
    <pre tabIndex={0} className="diff" aria-label="Changes against the existing file">
      {changed.length === 0
        ? '(no change)'
        : changed.map((line, index) => (
            <span key={index} className={`diff-${line.kind}`}>
              {line.kind === 'added' ? '+ ' : '- '}
              {line.text}
              {'\n'}
            </span>
          ))}
    </pre>
  );
}
