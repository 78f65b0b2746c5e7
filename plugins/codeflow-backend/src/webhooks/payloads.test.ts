import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDelivery } from './payloads';

const fixture = (name: string) =>
  readFileSync(join(__dirname, '__fixtures__', `${name}.json`));
const edited = (name: string, edit: (payload: any) => void) => {
  const payload = JSON.parse(fixture(name).toString('utf8'));
  edit(payload);
  return Buffer.from(JSON.stringify(payload));
};

describe('parseDelivery', () => {
  it("reads GitLab's Push Hook: the branch, the checked-out commit and who pushed", () => {
    expect(
      parseDelivery('gitlab', 'Push Hook', fixture('gitlab-push')),
    ).toEqual({
      kind: 'build',
      trigger: 'gitlab-push',
      ref: 'main',
      refKind: 'branch',
      commitSha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      commitMessage: 'fixed readme',
      commitAuthor: 'GitLab dev user',
      pushedBy: 'jsmith',
      repositoryUrl: 'http://git.example.com/team-payments/payments-api.git',
    });
  });

  it("reads GitLab's Tag Push Hook as a tag", () => {
    expect(
      parseDelivery('gitlab', 'Tag Push Hook', fixture('gitlab-tag-push')),
    ).toMatchObject({
      kind: 'build',
      trigger: 'gitlab-tag',
      ref: 'v1.0.0',
      refKind: 'tag',
      commitSha: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7',
    });
  });

  it('builds a merged merge request on its target branch, with its merge commit', () => {
    expect(
      parseDelivery(
        'gitlab',
        'Merge Request Hook',
        fixture('gitlab-merge-request-merged'),
      ),
    ).toMatchObject({
      kind: 'build',
      trigger: 'gitlab-merge',
      ref: 'main',
      refKind: 'branch',
      commitSha: 'f15b2d4c2b1e9a3b5f7d0a4a1f5bd9c3e2a7c011',
      pushedBy: 'root',
    });
  });

  it('ignores a merge request opened, and an update of one merged before', () => {
    expect(
      parseDelivery(
        'gitlab',
        'Merge Request Hook',
        fixture('gitlab-merge-request-opened'),
      ),
    ).toEqual({
      kind: 'ignore',
      reason: 'a merge request open builds nothing (only a merge does)',
    });
    expect(
      parseDelivery(
        'gitlab',
        'Merge Request Hook',
        edited('gitlab-merge-request-merged', p => {
          p.object_attributes.action = 'update';
        }),
      ).kind,
    ).toBe('ignore');
  });

  it('ignores other GitLab events and a push that deleted its branch', () => {
    expect(parseDelivery('gitlab', 'Issue Hook', Buffer.from('{}'))).toEqual({
      kind: 'ignore',
      reason:
        "GitLab's Issue Hook event builds nothing (push, tag push and merged merge requests do)",
    });
    expect(
      parseDelivery(
        'gitlab',
        'Push Hook',
        edited('gitlab-push', p => {
          p.checkout_sha = null;
          p.after = '0000000000000000000000000000000000000000';
        }),
      ),
    ).toEqual({ kind: 'ignore', reason: 'the push deleted branch main' });
  });

  it('calls a payload unreadable when it is not what its event header says', () => {
    expect(
      parseDelivery('gitlab', 'Tag Push Hook', fixture('gitlab-push')).kind,
    ).toBe('unreadable');
    expect(
      parseDelivery('gitlab', 'Push Hook', Buffer.from('not json')),
    ).toEqual({
      kind: 'unreadable',
      reason: 'the payload is not a JSON object',
    });
    const noSha = parseDelivery(
      'gitlab',
      'Push Hook',
      edited('gitlab-push', p => {
        p.checkout_sha = 'main; rm -rf /';
      }),
    );
    expect(noSha).toEqual({
      kind: 'unreadable',
      reason:
        "the payload is not the event's documented shape: checkout_sha: a commit sha",
    });
  });

  it('reads GitHub and Gitea pushes; ignores pings and deletions', () => {
    expect(
      parseDelivery('github', 'push', fixture('github-push')),
    ).toMatchObject({
      kind: 'build',
      trigger: 'github-push',
      ref: 'main',
      commitSha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      commitAuthor: 'Alice',
      pushedBy: 'alice',
      repositoryUrl: 'https://github.com/team-payments/payments-api.git',
    });
    expect(parseDelivery('gitea', 'push', fixture('gitea-push'))).toMatchObject(
      {
        kind: 'build',
        trigger: 'gitea-push',
        commitMessage: 'fixed readme\n',
        pushedBy: 'alice',
      },
    );
    expect(
      parseDelivery('github', 'ping', Buffer.from('{"zen":"x"}')).kind,
    ).toBe('ignore');
    expect(
      parseDelivery(
        'github',
        'push',
        edited('github-push', p => {
          p.deleted = true;
          p.after = '0000000000000000000000000000000000000000';
        }),
      ),
    ).toEqual({ kind: 'ignore', reason: 'the push deleted branch main' });
  });
});
