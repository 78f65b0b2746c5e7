import { diffArrays } from 'diff';
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
 * A line diff by jsdiff's Myers algorithm over the files' lines: time and memory grow with the
 * size of the files times the number of changed lines, not with the square of the size.
 * Removals come before additions, as unified diffs show them.
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const change of diffArrays(splitLines(before), splitLines(after))) {
    let op: DiffLine['op'] = ' ';
    if (change.removed) op = '-';
    else if (change.added) op = '+';
    for (const text of change.value) lines.push({ op, text });
  }
  return lines;
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
