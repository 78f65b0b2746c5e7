import { renderConfig, UnsafeConfigError } from './configTree';

describe('renderConfig', () => {
  it('writes blocks and simple directives with their fields per line', () => {
    const out = renderConfig(
      [
        {
          name: 'upstream',
          args: ['a__b'],
          field: 'upstreams[0]',
          children: [{ name: 'server', args: ['127.0.0.1:80'] }],
        },
      ],
      ['hello'],
    );
    expect(out.text).toBe(
      '# hello\nupstream a__b {\n    server 127.0.0.1:80;\n}\n',
    );
    expect(out.lineFields).toEqual([
      undefined,
      'upstreams[0]',
      'upstreams[0]',
      'upstreams[0]',
    ]);
  });

  it.each([
    [
      'a directive outside the allowlist',
      { name: 'include', args: ['/etc/passwd'] },
    ],
    ['a semicolon', { name: 'listen', args: ['80;include'] }],
    ['a brace', { name: 'listen', args: ['80}'] }],
    ['whitespace', { name: 'listen', args: ['80 x'] }],
    ['a newline', { name: 'listen', args: ['80\nx'] }],
    ['a quote', { name: 'listen', args: ['"80"'] }],
  ])('refuses %s', (_what, node) => {
    expect(() => renderConfig([node])).toThrow(UnsafeConfigError);
  });

  it('refuses include as a map key', () => {
    expect(() =>
      renderConfig([
        {
          name: 'map',
          args: ['$http_x', '$y'],
          children: [{ name: 'include', args: ['x'] }],
        },
      ]),
    ).toThrow(UnsafeConfigError);
  });
});
