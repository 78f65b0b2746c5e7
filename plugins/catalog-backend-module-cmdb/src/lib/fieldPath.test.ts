import { asString, asStringList, readPath } from './fieldPath';

describe('readPath', () => {
  const record = {
    id: 42,
    owner: { team: { id: 't1' } },
    dependencies: [{ id: 'a' }, { id: 'b' }],
    tags: 'x, y',
  };

  it('reads dotted paths, through arrays too', () => {
    expect(asString(readPath(record, 'id'))).toBe('42');
    expect(asString(readPath(record, 'owner.team.id'))).toBe('t1');
    expect(asStringList(readPath(record, 'dependencies.id'))).toEqual([
      'a',
      'b',
    ]);
    expect(asStringList(readPath(record, 'tags'))).toEqual(['x', 'y']);
  });

  it('gives undefined for what is not there', () => {
    expect(readPath(record, 'owner.group.id')).toBeUndefined();
    expect(readPath(record, 'id.value')).toBeUndefined();
    expect(asString(readPath({ name: '  ' }, 'name'))).toBeUndefined();
    expect(asStringList(readPath(record, 'nothing'))).toBeUndefined();
  });
});
