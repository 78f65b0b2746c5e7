import type {
  DiffLine,
  FileDiff,
} from '@internal/plugin-container-cloud-common';

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * A line diff through the longest common subsequence. The common head and tail are stripped
 * first, so a one-line change in a large file costs little.
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) {
    tail++;
  }
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  // lcs[i][j]: length of the LCS of x[i..] and y[j..]
  const lcs: number[][] = Array.from({ length: x.length + 1 }, () =>
    new Array<number>(y.length + 1).fill(0),
  );
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      lcs[i][j] =
        x[i] === y[j]
          ? lcs[i + 1][j + 1] + 1
          : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const middle: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      middle.push({ op: ' ', text: x[i] });
      i++;
      j++;
    } else if (
      i < x.length &&
      (j >= y.length || lcs[i + 1][j] >= lcs[i][j + 1])
    ) {
      // removals before additions, as unified diffs show them
      middle.push({ op: '-', text: x[i++] });
    } else {
      middle.push({ op: '+', text: y[j++] });
    }
  }
  return [
    ...a.slice(0, head).map(text => ({ op: ' ' as const, text })),
    ...middle,
    ...a.slice(a.length - tail).map(text => ({ op: ' ' as const, text })),
  ];
}

/** The files that differ between two versions; unchanged files are left out. */
export function diffFiles(
  before: Record<string, string>,
  after: Record<string, string>,
): FileDiff[] {
  const names = [
    ...new Set([...Object.keys(before), ...Object.keys(after)]),
  ].sort();
  return names
    .filter(name => before[name] !== after[name])
    .map(name => ({
      file: name,
      lines: diffLines(before[name] ?? '', after[name] ?? ''),
    }));
}
