import { FollowLimiter } from './FollowLimiter';

describe('FollowLimiter', () => {
  it('gives each user up to the limit, and a released slot back once', async () => {
    const limiter = new FollowLimiter(2);
    const release = async () => {
      const grant = await limiter.acquire('user:default/alice');
      return 'release' in grant ? grant.release : undefined;
    };
    const a1 = await release();
    const a2 = await release();
    expect(a1).toBeDefined();
    expect(a2).toBeDefined();
    expect(await release()).toBeUndefined();
    expect(await limiter.acquire('user:default/alice')).toEqual({
      refusal: expect.stringContaining('you already follow 2 logs'),
    });
    // another user is not held back by alice
    expect(await limiter.acquire('user:default/bob')).toHaveProperty('release');

    await a1!();
    await a1!(); // a second release of the same slot frees nothing more
    expect(limiter.held('user:default/alice')).toBe(1);
    expect(await release()).toBeDefined();
    expect(await release()).toBeUndefined();
  });
});
