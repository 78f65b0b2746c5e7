import { InputError } from '@backstage/errors';
import { parseDomain, shopDomain } from '../__testUtils__/domains';
import { FIELDS, maliciousCases } from '../__testUtils__/malicious';
import { renderDomain } from './renderDomain';

describe('renderDomain', () => {
  it('renders upstreams, the gray release and the server', () => {
    const { text } = renderDomain(parseDomain(shopDomain()));
    expect(text).toMatchInlineSnapshot(`
      "# managed by container-cloud nginx
      # domain shop
      upstream shop__stable {
          server 127.0.0.1:9001 weight=5 max_fails=3 fail_timeout=10s;
          server 127.0.0.1:9003 backup;
      }
      upstream shop__canary {
          server 127.0.0.1:9002;
      }
      split_clients $request_id $cc_shop_split {
          20% shop__canary;
          * shop__stable;
      }
      map $cookie_canary $cc_shop_cookie {
          default $cc_shop_split;
          yes shop__canary;
      }
      map $http_x_canary $cc_shop_header {
          default $cc_shop_cookie;
          always shop__canary;
      }
      server {
          listen 127.0.0.1:18080;
          server_name shop.example.com *.shop.example.com;
          location / {
              proxy_pass http://$cc_shop_header;
              proxy_set_header Host $host;
              proxy_set_header X-Real-IP $remote_addr;
              proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
          }
          location /static/ {
              proxy_pass http://shop__canary;
              proxy_set_header Host $host;
              proxy_set_header X-Real-IP $remote_addr;
              proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
          }
      }
      "
    `);
  });

  it('sends everything to one side at 0% and 100%', () => {
    const none = renderDomain(
      parseDomain(
        shopDomain({
          grayRelease: { stable: 'stable', canary: 'canary', canaryPercent: 0 },
        }),
      ),
    ).text;
    expect(none).toContain('* shop__stable;');
    expect(none).not.toContain('% shop__canary');
    const all = renderDomain(
      parseDomain(
        shopDomain({
          grayRelease: {
            stable: 'stable',
            canary: 'canary',
            canaryPercent: 100,
          },
        }),
      ),
    ).text;
    expect(all).toContain('* shop__canary;');
    expect(all).not.toContain('shop__stable;\n    }\nmap');
  });
});

describe('every field refuses malicious values', () => {
  const cases = maliciousCases();
  it.each(cases)('%s = %j → InputError, never rendered', (field, value) => {
    const input = FIELDS[field](value);
    expect(() => renderDomain(parseDomain(input))).toThrow(InputError);
    expect(() => parseDomain(input)).toThrow(/^invalid domain: /);
  });

  it('keeps words like include as plain arguments, never directives or map keys', () => {
    const { text } = renderDomain(
      parseDomain(
        shopDomain({
          serverNames: ['include'],
          grayRelease: {
            stable: 'stable',
            canary: 'canary',
            canaryPercent: 5,
            header: { name: 'include', value: 'load_module' },
          },
        }),
      ),
    );
    expect(text).toContain('    server_name include;\n');
    expect(text).toContain('map $http_include $cc_shop_header {');
    expect(text).toContain('    load_module shop__canary;\n');
    expect(text).not.toMatch(/^\s*include /m);
    expect(() =>
      parseDomain(
        shopDomain({
          grayRelease: {
            stable: 'stable',
            canary: 'canary',
            canaryPercent: 5,
            header: { name: 'X-A', value: 'include' },
          },
        }),
      ),
    ).toThrow(
      /default, hostnames, include and volatile cannot be match values/,
    );
  });

  it('refuses free-text directives as unknown fields', () => {
    expect(() =>
      parseDomain({ ...shopDomain(), extraDirectives: 'autoindex on;' }),
    ).toThrow(/unknown field\(s\): extraDirectives/);
    expect(() =>
      parseDomain(
        shopDomain({
          locations: [
            { path: '/', upstream: 'stable', rewrite: '^ /evil' } as any,
          ],
        }),
      ),
    ).toThrow(/unknown field\(s\): rewrite/);
  });

  it('says which field is wrong and why', () => {
    expect(() =>
      parseDomain(shopDomain({ serverNames: ['bad;name'] })),
    ).toThrow(
      "invalid domain: serverNames.0: a server name must be a lowercase RFC 1123 hostname, optionally starting with '*.'",
    );
    expect(() =>
      parseDomain(shopDomain({ locations: [{ path: '/', upstream: 'nope' }] })),
    ).toThrow("locations.0.upstream: no upstream named 'nope'");
  });
});

describe('upstream members from Kubernetes', () => {
  const source = {
    cluster: 'local-a',
    namespace: 'shop',
    service: 'shop-api',
    port: 8080,
    weight: 2,
  };
  const domain = parseDomain(
    shopDomain({
      grayRelease: undefined,
      upstreams: [
        {
          name: 'stable',
          members: [{ address: '10.0.0.9', port: 80, weight: 1 }],
          kubernetes: [source],
        },
        {
          name: 'canary',
          members: [],
          kubernetes: [{ ...source, port: 'http' }],
        },
      ],
    }),
  );

  it('puts ready endpoints beside static members, sorted, with the source options', () => {
    const { text, lineFields } = renderDomain(domain, s =>
      s.port === 8080
        ? [
            { address: '10.1.0.7', port: 8080 },
            { address: '10.1.0.3', port: 8080 },
            { address: '10.1.0.3', port: 8080 },
          ]
        : [],
    );
    expect(text).toContain(
      [
        'upstream shop__stable {',
        '    server 10.0.0.9:80 weight=1;',
        '    server 10.1.0.3:8080 weight=2;',
        '    server 10.1.0.7:8080 weight=2;',
        '}',
      ].join('\n'),
    );
    const line = text.split('\n').indexOf('    server 10.1.0.7:8080 weight=2;');
    expect(lineFields[line]).toBe('upstreams[0].kubernetes[0]');
    // an upstream without any ready member still holds a server, marked down: nginx answers 502
    expect(text).toContain(
      'upstream shop__canary {\n    server 127.0.0.1:9 down;\n}',
    );
  });

  it('never writes what the apiserver says unless it is an IPv4 address', () => {
    const { text } = renderDomain(domain, () => [
      { address: '10.1.0.1;include /etc/passwd', port: 8080 },
      { address: 'fd00::1', port: 8080 },
      { address: '10.1.0.2', port: 1.5 },
    ]);
    expect(text).not.toContain('passwd');
    expect(text).not.toContain('fd00');
    expect(text).not.toContain('10.1.0.2');
  });
});
