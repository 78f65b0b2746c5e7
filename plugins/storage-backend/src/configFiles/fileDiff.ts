import { diffArrays } from 'diff';
import type {
  DiffLine,
  FileDiff,
} from '@internal/plugin-container-cloud-common';

function lines(text: string): string[] {
  if (text === '') return [];
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

/** One file's lines as they differ (jsdiff's Myers diff over lines): removals before additions. */
export function lineDiff(before: string, after: string): DiffLine[] {
  return diffArrays(lines(before), lines(after)).flatMap(change => {
    let op: DiffLine['op'] = ' ';
    if (change.removed) op = '-';
    else if (change.added) op = '+';
    return change.value.map(text => ({ op, text }));
  });
}

/**
 * The files two versions differ in, by name; `redacted` names the changed files without their
 * lines (secret sets).
 */
export function fileDiffs(
  before: Record<string, string>,
  after: Record<string, string>,
  redacted = false,
): FileDiff[] {
  const names = [
    ...new Set([...Object.keys(before), ...Object.keys(after)]),
  ].sort();
  return names
    .filter(name => before[name] !== after[name])
    .map(name => ({
      file: name,
      lines: redacted ? [] : lineDiff(before[name] ?? '', after[name] ?? ''),
    }));
}
