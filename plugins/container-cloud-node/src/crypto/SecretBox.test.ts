import { ConfigReader } from '@backstage/config';
import { SecretBox } from './SecretBox';

const KEY = Buffer.alloc(32, 1).toString('base64');

describe('SecretBox', () => {
  it('seals with AES-256-GCM and opens what it sealed', () => {
    const box = new SecretBox(Buffer.from(KEY, 'base64'));
    const sealed = box.seal('password=hunter2');
    expect(sealed).toMatch(/^enc:v1:/);
    expect(sealed).not.toContain('hunter2');
    expect(box.seal('password=hunter2')).not.toBe(sealed); // a fresh IV each time
    expect(box.open(sealed)).toBe('password=hunter2');
  });

  it('refuses a tampered text and another key', () => {
    const box = new SecretBox(Buffer.from(KEY, 'base64'));
    const sealed = box.seal('x');
    const other = new SecretBox(Buffer.alloc(32, 2));
    expect(() => other.open(sealed)).toThrow();
    const parts = sealed.split(':');
    parts[4] = Buffer.from('y').toString('base64');
    expect(() => box.open(parts.join(':'))).toThrow();
  });

  it('reads the key from config (base64 or hex) and names the key when it is wrong', () => {
    const path = 'containerCloud.storage.configFiles.encryptionKey';
    const config = (encryptionKey?: string) =>
      new ConfigReader({
        containerCloud: { storage: { configFiles: { encryptionKey } } },
      });
    expect(SecretBox.fromConfig(new ConfigReader({}), path)).toBeUndefined();
    expect(SecretBox.fromConfig(config(KEY), path)).toBeInstanceOf(SecretBox);
    expect(SecretBox.fromConfig(config('ab'.repeat(32)), path)).toBeInstanceOf(
      SecretBox,
    );
    expect(() => SecretBox.fromConfig(config('short'), path)).toThrow(
      'containerCloud.storage.configFiles.encryptionKey must be 32 random bytes',
    );
    // the message names the key the caller reads
    expect(() =>
      SecretBox.fromConfig(new ConfigReader({ a: { key: 'short' } }), 'a.key'),
    ).toThrow('a.key must be 32 random bytes');
  });
});
