import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import { LineDiff, diffLines } from '../../renderer/src/components/LineDiff';

afterEach(cleanup);

test('only the changed lines are shown, removed before added', () => {
  const before = "#!/bin/bash\nAnaplanUser='old@example.com'\nOperation=()\n";
  const after = "#!/bin/bash\nAnaplanUser='new@example.com'\nOperation=(-W)\n";
  expect(diffLines(before, after).filter((l) => l.kind !== 'same')).toEqual([
    { kind: 'removed', text: "AnaplanUser='old@example.com'" },
    { kind: 'removed', text: 'Operation=()' },
    { kind: 'added', text: "AnaplanUser='new@example.com'" },
    { kind: 'added', text: 'Operation=(-W)' },
  ]);
  render(<LineDiff before={before} after={after} />);
  expect(screen.getByLabelText('Changes against the existing file').textContent).toContain("+ AnaplanUser='new@example.com'");
});

test('CRLF and LF versions of the same lines are the same, and identical files say so', () => {
  expect(diffLines('a\r\nb\r\n', 'a\nb\n').every((l) => l.kind === 'same')).toBe(true);
  render(<LineDiff before="x\n" after="x\n" />);
  expect(screen.getByText('(no change)')).toBeTruthy();
});
