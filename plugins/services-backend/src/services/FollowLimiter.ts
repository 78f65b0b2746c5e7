/**
 * Bounds the live log follows one person holds open at once: each keeps a connection to an
 * apiserver (and its kubelet) for as long as the page is open.
 */
export class FollowLimiter {
  private readonly open = new Map<string, number>();

  constructor(readonly maxPerUser: number) {}

  /** Takes a slot for `user`; returns its release (idempotent), or undefined when all are taken. */
  acquire(user: string): (() => void) | undefined {
    const held = this.open.get(user) ?? 0;
    if (held >= this.maxPerUser) return undefined;
    this.open.set(user, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.open.get(user) ?? 1) - 1;
      if (now <= 0) this.open.delete(user);
      else this.open.set(user, now);
    };
  }

  /** Follows open for `user` now. */
  held(user: string): number {
    return this.open.get(user) ?? 0;
  }
}
