import { parseDomain, shopDomain } from '../__testUtils__/domains';
import { renderDomain } from '../render';
import { describeFailure } from './NginxService';
import { NginxValidator } from './NginxValidator';

jest.setTimeout(30_000);

describe('NginxValidator (the real nginx -t)', () => {
  const validator = new NginxValidator('/usr/sbin/nginx');

  it('accepts a rendered domain', async () => {
    const { text } = renderDomain(parseDomain(shopDomain()));
    await expect(validator.check({ 'shop.conf': text })).resolves.toEqual({
      ok: true,
    });
  });

  it('rejects a broken file with nginx message, file and line', async () => {
    const result = await validator.check({
      'good.conf': renderDomain(parseDomain(shopDomain())).text,
      'broken.conf': 'server {\n    listen 80;\n    bogus_directive on;\n}\n',
    });
    expect(result).toEqual({
      ok: false,
      message:
        '[emerg] unknown directive "bogus_directive" in conf.d/broken.conf:3',
      file: 'broken.conf',
      line: 3,
    });
  });

  it('ties a failure to the domain field that caused it', async () => {
    // nginx, not the schema, knows that two locations may not share a path
    const domain = parseDomain(
      shopDomain({
        locations: [
          { path: '/', upstream: 'stable' },
          { path: '/', upstream: 'canary' },
        ],
      }),
    );
    const rendered = renderDomain(domain);
    const result = await validator.check({ 'shop.conf': rendered.text });
    expect(result.ok).toBe(false);
    expect(
      describeFailure(result as any, { 'shop.conf': rendered.lineFields }),
    ).toBe(
      `nginx -t failed for domain 'shop' at locations[1]: [emerg] duplicate location "/" in conf.d/shop.conf:${
        (result as any).line
      }`,
    );
  });

  it('sees no configuration besides the files under test', async () => {
    // a file that tries to read something outside the scratch prefix fails to find it
    const result = await validator.check({
      'x.conf': 'include /etc/nginx/nginx.conf;\n',
    });
    expect(result.ok).toBe(false);
  });
});
