import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { portalSecretsKey } from './portalData';

describe('portalSecretsKey', () => {
  it('makes a 32-byte key readable by its owner only, once, and keeps it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-key-'));
    try {
      const file = path.join(dir, 'portal-secrets.key');
      const key = portalSecretsKey(file);
      expect(Buffer.from(key, 'base64')).toHaveLength(32);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(portalSecretsKey(file)).toBe(key);
      fs.rmSync(file);
      expect(portalSecretsKey(file)).not.toBe(key);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
