/**
 * A webhook rule of a codeflow (the shape of the contract's `CodeflowWebhookRule`): a push to
 * refs matching `ref` builds for `environment`, after an approval when `approval` is set.
 */
export interface WebhookRule {
  ref: { kind: 'branch' | 'tag'; pattern: string };
  environment: string;
  approval: boolean;
}

/** What a webhook delivery to a codeflow needs to know of it. */
export interface WebhookTarget {
  codeflowId: string;
  /** the service (Component) the codeflow belongs to */
  entityRef: string;
  /** who a webhook's run is for: the codeflow's owner (its service's owner) */
  ownerRef: string;
  /** the repository the codeflow builds; a delivery about another one builds nothing */
  repositoryUrl?: string;
  /** false: the codeflow's webhook trigger is off, deliveries build nothing */
  enabled: boolean;
  /** which branches and tags build for which environment (the first match wins) */
  rules: WebhookRule[];
}

/**
 * Finds a codeflow for the webhook endpoints, which have no caller to read it with: undefined
 * for a codeflow that does not exist (or was deleted).
 */
export interface WebhookTargets {
  find(codeflowId: string): Promise<WebhookTarget | undefined>;
}

/** A repository URL compared loosely: no scheme, credentials, case of the host, `.git` or `/`. */
export function sameRepository(a: string, b: string): boolean {
  const normal = (url: string) => {
    const trimmed = url
      .trim()
      .replace(/\/+$/, '')
      .replace(/\.git$/, '');
    try {
      const parsed = new URL(trimmed);
      return `${parsed.host.toLowerCase()}${parsed.pathname.replace(
        /\/+$/,
        '',
      )}`;
    } catch {
      return trimmed;
    }
  };
  return normal(a) === normal(b);
}
