import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { Request } from 'express';
import type { RouteSpec } from './types';

/** What a read found and was allowed, kept for its next ask. @public */
export interface ReadDecision<TResource> {
  resource: TResource;
  /** the answers to the route's `ask` permissions */
  asked: boolean[];
}

/**
 * Remembers, for a few seconds, what one person's read of one resource looked up and that it was
 * allowed, so a page that asks again and again (many viewers, a tab polling) does not pay the
 * catalog read and the permission backend's decision on every request.
 *
 * Only reads are remembered: GET routes of access 'read', for users (the key is the user's
 * entity ref, the route and its path parameters). Operations, mutations and service callers are
 * always checked; refusals, 404s and failures are never kept, so a new entity or a new grant is
 * seen at once. The price is the lifetime: a revoked read (an entity that changed owner, a
 * policy that changed) still answers for up to `ttlMs` — Kubernetes' webhook authorizer makes the
 * same trade with 5 minutes by default, this one with seconds. The user's token is still verified
 * on every request, so a signed-out or expired session is refused at once.
 *
 * Per process on purpose: it holds nothing that must agree across replicas, only answers each
 * replica may ask again. Bounded: the oldest entries go first once `maxEntries` are held.
 * @public
 */
export class ReadDecisionCache<TResource> {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  // insertion order is expiry order (every entry lives ttlMs), so the first ones go first
  readonly #entries = new Map<
    string,
    { at: number; decision: ReadDecision<TResource> }
  >();

  constructor(options: {
    ttlMs: number;
    maxEntries?: number;
    now?: () => number;
  }) {
    if (!(options.ttlMs > 0)) {
      throw new Error(
        `a read decision cache needs a positive lifetime, not ${options.ttlMs} ms`,
      );
    }
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The key of this request, or undefined when it must be checked every time (not a read, not a
   * user).
   */
  keyOf(
    route: RouteSpec<TResource, any, any>,
    req: Request,
    credentials: BackstageCredentials,
  ): string | undefined {
    if (route.method !== 'get' || route.access !== 'read') return undefined;
    const principal = credentials.principal as {
      type?: string;
      userEntityRef?: string;
    };
    if (principal.type !== 'user' || !principal.userEntityRef) return undefined;
    return JSON.stringify([principal.userEntityRef, route.path, req.params]);
  }

  get(key: string): ReadDecision<TResource> | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (this.#now() - entry.at >= this.#ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.decision;
  }

  set(key: string, decision: ReadDecision<TResource>): void {
    this.#entries.delete(key);
    this.#entries.set(key, { at: this.#now(), decision });
    this.#evict();
  }

  /** how many decisions are held (expired ones included until they are next touched) */
  get size(): number {
    return this.#entries.size;
  }

  #evict() {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (
        this.#entries.size <= this.#maxEntries &&
        now - entry.at < this.#ttlMs
      ) {
        break;
      }
      this.#entries.delete(key);
    }
  }
}
