import { diffLines } from 'diff';
import type { DiffLine } from '@internal/plugin-container-cloud-common';

/**
 * Two texts line by line (jsdiff), in the lines the diff view shows. The nginx and storage
 * backends keep the same helper; it belongs in container-cloud-node once one of them moves it.
 */
export function lineDiff(before: string, after: string): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const change of diffLines(before, after)) {
    let op: DiffLine['op'] = ' ';
    if (change.added) op = '+';
    else if (change.removed) op = '-';
    const text = change.value.endsWith('\n')
      ? change.value.slice(0, -1)
      : change.value;
    for (const line of text.split('\n')) lines.push({ op, text: line });
  }
  return lines;
}
