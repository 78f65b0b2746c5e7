import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from '@backstage/config';

const PREFIX = 'enc:v1:';

/**
 * Encrypts secret file sets' versions at rest with AES-256-GCM under the key from
 * `containerCloud.storage.configFiles.encryptionKey` (32 bytes, base64 or hex). Each text gets its
 * own random 12-byte IV; the tag makes a tampered row fail to decrypt instead of reading garbage.
 */
export class SecretBox {
  static fromConfig(config: Config): SecretBox | undefined {
    const key = config.getOptionalString(
      'containerCloud.storage.configFiles.encryptionKey',
    );
    return key === undefined ? undefined : new SecretBox(parseKey(key));
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

function parseKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error(
      'containerCloud.storage.configFiles.encryptionKey must be 32 random bytes, base64 (44 characters) or hex (64 characters); e.g. `openssl rand -base64 32`',
    );
  }
  return key;
}
