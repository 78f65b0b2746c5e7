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

  it('checks one file alone with the same settings and the same messages, concurrently', async () => {
    const good = renderDomain(parseDomain(shopDomain())).text;
    const broken = 'server {\n    listen 80;\n    bogus_directive on;\n}\n';
    const results = await Promise.all([
      validator.checkAlone('shop.conf', good),
      validator.checkAlone('broken.conf', broken),
      validator.check({ 'broken.conf': broken }),
      validator.checkAlone('x.conf', 'include /etc/nginx/nginx.conf;\n'),
    ]);
    expect(results[0]).toEqual({ ok: true });
    expect(results[1]).toEqual(results[2]);
    expect(results[1]).toEqual({
      ok: false,
      message:
        '[emerg] unknown directive "bogus_directive" in conf.d/broken.conf:3',
      file: 'broken.conf',
      line: 3,
    });
    expect(results[3].ok).toBe(false);
    await expect(validator.checkAlone('../x.conf', good)).rejects.toThrow(
      "refusing to write conf.d file '../x.conf'",
    );
  });
});
