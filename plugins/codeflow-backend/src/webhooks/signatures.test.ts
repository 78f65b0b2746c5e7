import { createHmac } from 'node:crypto';
import { verifyDelivery } from './signatures';

const body = Buffer.from('{"ref":"refs/heads/main"}');
const hmac = (secret: string) =>
  createHmac('sha256', secret).update(body).digest('hex');

describe('verifyDelivery', () => {
  it("compares GitLab's token with the secret itself", () => {
    expect(verifyDelivery('gitlab', 's3cret', body, 's3cret')).toBe('valid');
    expect(verifyDelivery('gitlab', 's3cre', body, 's3cret')).toBe('invalid');
    expect(verifyDelivery('gitlab', 's3cret ', body, 's3cret')).toBe('invalid');
    expect(verifyDelivery('gitlab', undefined, body, 's3cret')).toBe('missing');
    expect(verifyDelivery('gitlab', '', body, 's3cret')).toBe('missing');
  });

  it("checks Gitea's hex HMAC and GitHub's sha256= HMAC over the raw body", () => {
    expect(verifyDelivery('gitea', hmac('k'), body, 'k')).toBe('valid');
    expect(verifyDelivery('gitea', hmac('other'), body, 'k')).toBe('invalid');
    expect(verifyDelivery('github', `sha256=${hmac('k')}`, body, 'k')).toBe(
      'valid',
    );
    // GitHub's header without its prefix, and a body changed after signing
    expect(verifyDelivery('github', hmac('k'), body, 'k')).toBe('invalid');
    expect(
      verifyDelivery(
        'github',
        `sha256=${hmac('k')}`,
        Buffer.from('{"ref":"refs/heads/evil"}'),
        'k',
      ),
    ).toBe('invalid');
  });
});
