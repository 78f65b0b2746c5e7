import { LogRedactor, redactor, secretForms } from './LogRedactor';

/** A seeded generator (mulberry32), so a failing case can be replayed from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SECRET_CHARACTERS =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=:@%&?# é€';

describe('LogRedactor', () => {
  it('replaces a secret and its base64 and URL-encoded forms', () => {
    const secret = 's3cr3t p@ss/word';
    const basic = Buffer.from(`bot:${secret}`).toString('base64');
    const text = [
      `password=${secret}`,
      `Authorization: Basic ${basic}`,
      `token ${Buffer.from(secret).toString('base64')}`,
      `https://bot:${encodeURIComponent(secret)}@git.example.com/shop.git`,
      `form: pw=${encodeURIComponent(secret).replace(/%20/g, '+')}`,
      'nothing here',
    ].join('\n');
    const out = redactor([secret])(text);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain(Buffer.from(secret).toString('base64'));
    expect(out.split('\n')).toEqual([
      'password=***',
      // the characters decided by `bot:` and the padding stay: they give nothing away
      expect.stringMatching(
        /^Authorization: Basic [A-Za-z0-9+/=]{0,7}\*\*\*[A-Za-z0-9+/=]{0,3}$/,
      ),
      'token ***',
      'https://bot:***@git.example.com/shop.git',
      'form: pw=***',
      'nothing here',
    ]);
    // the Basic header decodes to no secret either
    const header = out.split('\n')[1].replace('Authorization: Basic ', '');
    expect(header.length).toBeLessThan(basic.length);
  });

  it('leaves texts alone without secrets, and ignores secrets under 4 characters', () => {
    expect(redactor([])('a log line\n')).toBe('a log line\n');
    expect(redactor(['abc', ''])('abc abc\n')).toBe('abc abc\n');
    const stream = new LogRedactor(['abc']);
    expect(stream.push('abc')).toBe('abc');
    expect(stream.flush()).toBe('');
  });

  it('finds a secret split over two pushes, holding back no more than the longest form minus one', () => {
    const secret = 'hunter22';
    const longest = Math.max(...secretForms(secret).map(f => f.length));
    const stream = new LogRedactor([secret]);
    const first = stream.push('login with hunt');
    expect(first).toBe('login with hunt'.slice(0, 15 - (longest - 1)));
    const second = stream.push('er22 done, and more text after it');
    const rest = stream.flush();
    expect(first + second + rest).toBe(
      'login with *** done, and more text after it',
    );
    expect(second.length).toBeGreaterThan(0);
  });

  it('redacts overlapping secrets as one span, and a secret split character by character', () => {
    const secrets = ['abcdefgh', 'efghijkl'];
    const out = redactor(secrets)('xx abcdefghijkl yy');
    expect(out).toBe('xx *** yy');
    const stream = new LogRedactor(secrets);
    const parts = [...'xx abcdefghijkl yy'].map(c => stream.push(c));
    expect(parts.join('') + stream.flush()).toBe('xx *** yy');
  });

  it('never splits a surrogate pair between two outputs', () => {
    const stream = new LogRedactor(['longsecretvalue']);
    const text = '😀'.repeat(40);
    const outs = [stream.push(text), stream.push('😀'), stream.flush()];
    for (const out of outs) {
      expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
      expect(/[\uD800-\uDBFF]$/.test(out)).toBe(false);
    }
    expect(outs.join('')).toBe('😀'.repeat(41));
  });

  it('never leaks a secret at random split points (property, 1000 seeded cases)', () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const next = random(seed);
      const pick = (s: string) => s[Math.floor(next() * s.length)];
      const secrets = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
        Array.from({ length: 4 + Math.floor(next() * 20) }, () =>
          pick(SECRET_CHARACTERS),
        ).join(''),
      );
      const pieces: string[] = [];
      for (let i = 0; i < 12; i++) {
        const secret = secrets[Math.floor(next() * secrets.length)];
        const form = [
          secret,
          Buffer.from(secret).toString('base64'),
          Buffer.from(`user:${secret}`).toString('base64'),
          encodeURIComponent(secret),
        ][Math.floor(next() * 4)];
        pieces.push(
          Array.from({ length: Math.floor(next() * 30) }, () =>
            pick('lorem ipsum dolor sit amet\n'),
          ).join(''),
          form,
        );
      }
      const text = pieces.join('');
      const cuts = Array.from({ length: 1 + Math.floor(next() * 20) }, () =>
        Math.floor(next() * text.length),
      ).sort((a, b) => a - b);
      const stream = new LogRedactor(secrets);
      let out = '';
      let from = 0;
      for (const cut of [...cuts, text.length]) {
        out += stream.push(text.slice(from, cut));
        from = cut;
      }
      out += stream.flush();
      for (const secret of secrets) {
        for (const leaked of [
          secret,
          Buffer.from(secret).toString('base64'),
          encodeURIComponent(secret),
        ]) {
          if (out.includes(leaked)) {
            throw new Error(
              `seed ${seed}: ${JSON.stringify(
                leaked,
              )} leaked in ${JSON.stringify(out)}`,
            );
          }
        }
      }
      // the split points change nothing: the same text as redacting it whole
      expect({ seed, out }).toEqual({ seed, out: redactor(secrets)(text) });
    }
  });
});
