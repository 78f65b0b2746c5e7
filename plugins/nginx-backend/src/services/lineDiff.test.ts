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
