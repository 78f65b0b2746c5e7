/** A follow slot taken, or why none was given. */
export type FollowGrant =
  | { release: () => Promise<void> }
  | { refusal: string };

/**
 * Bounds the live log follows open at once: each keeps a connection to an apiserver (and its
 * kubelet) for as long as the page is open.
 */
export interface FollowSlots {
  /** Takes a slot for `user`; its release is idempotent. */
  acquire(user: string): Promise<FollowGrant>;
}

/** The refusal of a follow beyond one user's limit. */
export function perUserRefusal(maxPerUser: number): string {
  return `you already follow ${maxPerUser} logs; close one first (containerCloud.services.logs.maxFollowsPerUser)`;
}

/**
 * The follows of one backend process, counted in its memory: right for a single replica and for
 * tests; FollowDirectory counts those of every replica.
 */
export class FollowLimiter implements FollowSlots {
  private readonly open = new Map<string, number>();

  constructor(readonly maxPerUser: number) {}

  async acquire(user: string): Promise<FollowGrant> {
    const held = this.open.get(user) ?? 0;
    if (held >= this.maxPerUser) {
      return { refusal: perUserRefusal(this.maxPerUser) };
    }
    this.open.set(user, held + 1);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        const now = (this.open.get(user) ?? 1) - 1;
        if (now <= 0) this.open.delete(user);
        else this.open.set(user, now);
      },
    };
  }

  /** Follows open for `user` now. */
  held(user: string): number {
    return this.open.get(user) ?? 0;
  }
}
