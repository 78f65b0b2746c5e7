import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from '@backstage/config';

const PREFIX = 'enc:v1:';

/**
 * Encrypts secrets kept in a plugin's database (secret config file sets, receivers' passwords
 * and tokens) with AES-256-GCM under a key from the app's config (32 bytes, base64 or hex). Each
 * text gets its own random 12-byte IV; the tag makes a tampered row fail to decrypt instead of
 * reading garbage. Sealed texts start with `enc:v1:`, so a reader tells them from plain ones.
 * @public
 */
export class SecretBox {
  /**
   * The box for the key at `configKey` (e.g. `containerCloud.storage.configFiles.encryptionKey`),
   * undefined when the key is not configured; a key that is not 32 bytes throws naming `configKey`.
   */
  static fromConfig(config: Config, configKey: string): SecretBox | undefined {
    const key = config.getOptionalString(configKey);
    return key === undefined
      ? undefined
      : new SecretBox(parseKey(key, configKey));
  }

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('an AES-256 key is 32 bytes');
  }

  static isSealed(text: string): boolean {
    return text.startsWith(PREFIX);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${[iv, cipher.getAuthTag(), data]
      .map(b => b.toString('base64'))
      .join(':')}`;
  }

  open(sealed: string): string {
    if (!SecretBox.isSealed(sealed)) throw new Error('not an encrypted text');
    const [iv, tag, data] = sealed
      .slice(PREFIX.length)
      .split(':')
      .map(part => Buffer.from(part, 'base64'));
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString(
      'utf8',
    );
  }
}

function parseKey(text: string, configKey: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error(
      `${configKey} must be 32 random bytes, base64 (44 characters) or hex (64 characters); e.g. \`openssl rand -base64 32\``,
    );
  }
  return key;
}
