import { largeConfigPair } from '../__testUtils__/largeConfig';
import { diffFiles, diffLines } from './lineDiff';

describe('diffLines', () => {
  it('marks removed and added lines around common ones', () => {
    expect(diffLines('a\nb\nc\n', 'a\nx\nc\nd\n')).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'x' },
      { op: ' ', text: 'c' },
      { op: '+', text: 'd' },
    ]);
  });

  it('handles empty sides', () => {
    expect(diffLines('', 'a\n')).toEqual([{ op: '+', text: 'a' }]);
    expect(diffLines('a\n', '')).toEqual([{ op: '-', text: 'a' }]);
  });

  it('lists only changed files, including added and removed ones', () => {
    expect(
      diffFiles(
        { 'a.conf': 'x\n', 'b.conf': 'y\n' },
        { 'a.conf': 'x\n', 'c.conf': 'z\n' },
      ),
    ).toEqual([
      { file: 'b.conf', lines: [{ op: '-', text: 'y' }] },
      { file: 'c.conf', lines: [{ op: '+', text: 'z' }] },
    ]);
  });
});

describe('diffLines on a large config', () => {
  it('diffs 20,000 lines with 2,000 edits into a diff that rebuilds both versions', () => {
    const { before, after, edited } = largeConfigPair(20_000, 2_000);
    const lines = diffLines(before, after);
    const side = (keep: string) =>
      lines
        .filter(line => line.op === ' ' || line.op === keep)
        .map(line => `${line.text}\n`)
        .join('');
    expect(side('-')).toBe(before);
    expect(side('+')).toBe(after);
    // a minimal diff changes no more lines than were edited (a file replaced whole would)
    const changed = lines.filter(line => line.op !== ' ').length;
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(edited);
    // within each changed run, removals come before additions
    const additionThenRemoval = lines.findIndex(
      (line, i) => i > 0 && line.op === '-' && lines[i - 1].op === '+',
    );
    expect(additionThenRemoval).toBe(-1);
  });
});
