import { FollowLimiter } from './FollowLimiter';

describe('FollowLimiter', () => {
  it('gives each user up to the limit, and a released slot back once', () => {
    const limiter = new FollowLimiter(2);
    const a1 = limiter.acquire('user:default/alice');
    const a2 = limiter.acquire('user:default/alice');
    expect(a1).toBeDefined();
    expect(a2).toBeDefined();
    expect(limiter.acquire('user:default/alice')).toBeUndefined();
    // another user is not held back by alice
    expect(limiter.acquire('user:default/bob')).toBeDefined();

    a1!();
    a1!(); // a second release of the same slot frees nothing more
    expect(limiter.held('user:default/alice')).toBe(1);
    expect(limiter.acquire('user:default/alice')).toBeDefined();
    expect(limiter.acquire('user:default/alice')).toBeUndefined();
  });
});
