import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookProvider } from '@internal/plugin-container-cloud-common';

/** Equal in constant time: both sides hashed first, so their lengths never leak or differ. */
function sameText(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The header each git host authenticates its deliveries with. */
export const AUTH_HEADER: Record<WebhookProvider, string> = {
  gitlab: 'x-gitlab-token',
  gitea: 'x-gitea-signature',
  github: 'x-hub-signature-256',
};

/**
 * Whether a delivery carries the codeflow's secret: GitLab sends the secret itself
 * (`X-Gitlab-Token`); Gitea/Forgejo (`X-Gitea-Signature`, hex) and GitHub
 * (`X-Hub-Signature-256: sha256=<hex>`) an HMAC-SHA256 of the raw body keyed with it. Every
 * comparison is constant-time. 'missing' when the header is absent, so the caller can say so.
 */
export function verifyDelivery(
  provider: WebhookProvider,
  header: string | undefined,
  rawBody: Buffer,
  secret: string,
): 'valid' | 'invalid' | 'missing' {
  if (header === undefined || header === '') return 'missing';
  if (provider === 'gitlab') {
    return sameText(header, secret) ? 'valid' : 'invalid';
  }
  const hmac = createHmac('sha256', secret).update(rawBody).digest('hex');
  const expected = provider === 'github' ? `sha256=${hmac}` : hmac;
  return sameText(header.trim().toLowerCase(), expected) ? 'valid' : 'invalid';
}
