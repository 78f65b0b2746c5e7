import { actorWords } from './actor';

describe('actorWords', () => {
  it('names the user who started the run', () => {
    expect(actorWords({ kind: 'user', userRef: 'user:default/alice' })).toBe(
      'user:default/alice',
    );
  });

  it("names a webhook run's codeflow, its owner and who saved it", () => {
    expect(
      actorWords({
        kind: 'codeflow-owner',
        codeflowId: 'cf-1',
        owner: 'group:default/team-payments',
        savedBy: 'user:default/alice',
      }),
    ).toBe(
      'codeflow cf-1 for group:default/team-payments, saved by user:default/alice',
    );
  });
});
