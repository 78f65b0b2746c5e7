import { parseProblem, validateFiles } from './validateFiles';

describe('parseProblem', () => {
  it.each([
    ['a.yaml', 'a: 1\nb:\n  - x\n'],
    ['a.yml', '---\na: 1\n---\nb: 2\n'],
    ['a.json', '{"a": [1, 2]}'],
    ['a.toml', '[server]\nport = 8080\n'],
    ['a.xml', '<?xml version="1.0"?>\n<a><b/></a>\n'],
    ['a.ini', '; comment\n[main]\nkey = 1\nother: 2\n'],
    ['a.properties', '# c\nkey=value\nmulti=a \\\n  b\nu=\\u00e9\n'],
    ['notes.txt', 'anything { at all'],
  ])('accepts a valid %s', (name, text) => {
    expect(parseProblem(name, text)).toBeUndefined();
  });

  it.each([
    ['a.yaml', 'a: 1\nb: 2\nb: 3\n', 3],
    ['a.json', '{\n  "a": 1\n  "b": 2\n}', 3],
    ['a.toml', 'a = 1\n[x\n', 2],
    ['a.xml', '<a>\n  <b>\n</a>\n', 3],
    ['a.ini', '[main\n', 1],
    ['a.properties', 'a=1\nb=2 \\', 2],
  ])('points at the line of an invalid %s', (name, text, line) => {
    expect(parseProblem(name, text)).toMatchObject({ line });
  });
});

describe('validateFiles', () => {
  it('names every file that does not parse, and saves nothing', () => {
    expect(() =>
      validateFiles({ 'a.json': '{', 'b.yaml': 'ok: 1\n', 'c.toml': '=' }),
    ).toThrow(
      /nothing was saved: a\.json line 1.*not valid JSON.*; c\.toml line 1.*not valid TOML/,
    );
  });

  it('refuses a set larger than a ConfigMap holds, counting names too', () => {
    const almost = 'x'.repeat(1024 * 1024 - 'a.txt'.length);
    expect(() => validateFiles({ 'a.txt': almost })).not.toThrow();
    expect(() => validateFiles({ 'a.txt': `${almost}x` })).toThrow(
      'the files come to 1048577 bytes',
    );
  });
});
