import { z } from 'zod';
import type { WebhookProvider } from '@internal/plugin-container-cloud-common';

/** What a delivery asks to build: a commit on a branch or a tag. */
export interface BuildEvent {
  kind: 'build';
  /** e.g. gitlab-push, gitlab-tag, gitlab-merge, github-push, gitea-push */
  trigger: string;
  /** the branch or tag name, without refs/heads/ or refs/tags/ */
  ref: string;
  refKind: 'branch' | 'tag';
  commitSha: string;
  commitMessage?: string;
  commitAuthor?: string;
  /** the git host's user who pushed or merged */
  pushedBy?: string;
  /** the repository the event is about, as the git host clones it over HTTP */
  repositoryUrl?: string;
}

/** A delivery that builds nothing, and why. */
export interface IgnoredEvent {
  kind: 'ignore';
  reason: string;
}

/** A delivery whose payload is not what its event says. */
export interface UnreadableEvent {
  kind: 'unreadable';
  reason: string;
}

export type ParsedEvent = BuildEvent | IgnoredEvent | UnreadableEvent;

const sha = z.string().regex(/^[0-9a-f]{7,64}$/i, 'a commit sha');
const commit = z.object({
  id: sha,
  message: z.string().optional(),
  author: z
    .object({
      name: z.string().optional(),
      username: z.string().optional(),
      email: z.string().optional(),
    })
    .partial()
    .optional(),
});
type Commit = z.infer<typeof commit>;

/** GitLab's Push Hook and Tag Push Hook (the fields a build needs). */
const gitlabPush = z.object({
  object_kind: z.enum(['push', 'tag_push']),
  ref: z.string().min(1),
  // null when the push deleted the branch or tag
  checkout_sha: sha.nullable().optional(),
  after: z.string().optional(),
  user_username: z.string().optional(),
  user_name: z.string().optional(),
  project: z.object({ git_http_url: z.string().optional() }).optional(),
  commits: z.array(commit).default([]),
});

/** GitLab's Merge Request Hook: only a merge builds (the target branch's new commit). */
const gitlabMergeRequest = z.object({
  object_kind: z.literal('merge_request'),
  user: z.object({ username: z.string().optional() }).optional(),
  project: z.object({ git_http_url: z.string().optional() }).optional(),
  object_attributes: z.object({
    action: z.string().optional(),
    state: z.string().optional(),
    title: z.string().optional(),
    target_branch: z.string().min(1),
    merge_commit_sha: sha.nullable().optional(),
    last_commit: commit.nullable().optional(),
  }),
});

/** The push payload GitHub and Gitea/Forgejo share (the fields a build needs). */
const hubPush = z.object({
  ref: z.string().min(1),
  after: z.string(),
  deleted: z.boolean().optional(),
  head_commit: commit.nullable().optional(),
  commits: z.array(commit).default([]),
  pusher: z
    .object({
      name: z.string().optional(),
      login: z.string().optional(),
      username: z.string().optional(),
    })
    .partial()
    .optional(),
  repository: z.object({ clone_url: z.string().optional() }).optional(),
});

const NO_COMMIT = /^0+$/;

function refOf(
  ref: string,
): { name: string; refKind: 'branch' | 'tag' } | undefined {
  if (ref.startsWith('refs/heads/')) {
    return { name: ref.slice('refs/heads/'.length), refKind: 'branch' };
  }
  if (ref.startsWith('refs/tags/')) {
    return { name: ref.slice('refs/tags/'.length), refKind: 'tag' };
  }
  return undefined;
}

function authorOf(c: Commit | undefined | null): string | undefined {
  const author = c?.author;
  if (!author) return undefined;
  return author.name ?? author.username ?? author.email;
}

function unreadable(error: z.ZodError): UnreadableEvent {
  const first = error.issues[0];
  return {
    kind: 'unreadable',
    reason: `the payload is not the event's documented shape: ${
      first.path.join('.') || 'body'
    }: ${first.message}`,
  };
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

const GITLAB_EVENTS: Record<string, string> = {
  'Push Hook': 'push',
  'Tag Push Hook': 'tag_push',
  'Merge Request Hook': 'merge_request',
};

function parseGitlab(event: string | undefined, body: unknown): ParsedEvent {
  const kind = event ? GITLAB_EVENTS[event] : undefined;
  if (!kind) {
    return {
      kind: 'ignore',
      reason: `GitLab's ${
        event ?? 'unnamed'
      } event builds nothing (push, tag push and merged merge requests do)`,
    };
  }
  if ((body as { object_kind?: unknown } | undefined)?.object_kind !== kind) {
    return {
      kind: 'unreadable',
      reason: `the X-Gitlab-Event header says ${event} but the payload's object_kind is not ${kind}`,
    };
  }
  if (kind === 'merge_request') {
    const parsed = gitlabMergeRequest.safeParse(body);
    if (!parsed.success) return unreadable(parsed.error);
    const mr = parsed.data.object_attributes;
    // GitLab sends one `merge` action when a request is merged; later updates of a merged
    // request (a label, a comment) carry state `merged` with another action and build nothing
    const merged = mr.action ? mr.action === 'merge' : mr.state === 'merged';
    if (!merged) {
      return {
        kind: 'ignore',
        reason: `a merge request ${
          mr.action ?? mr.state ?? 'event'
        } builds nothing (only a merge does)`,
      };
    }
    const commitSha = mr.merge_commit_sha ?? mr.last_commit?.id;
    if (!commitSha) {
      return unreadable(
        new z.ZodError([
          {
            code: 'custom',
            path: ['object_attributes', 'merge_commit_sha'],
            message: 'a merged request names its commit',
            input: undefined,
          },
        ]),
      );
    }
    return {
      kind: 'build',
      trigger: 'gitlab-merge',
      ref: mr.target_branch,
      refKind: 'branch',
      commitSha,
      commitMessage: mr.title
        ? `merge request: ${mr.title}`
        : mr.last_commit?.message,
      commitAuthor: authorOf(mr.last_commit),
      pushedBy: parsed.data.user?.username,
      repositoryUrl: parsed.data.project?.git_http_url,
    };
  }
  const parsed = gitlabPush.safeParse(body);
  if (!parsed.success) return unreadable(parsed.error);
  const push = parsed.data;
  const ref = refOf(push.ref);
  if (!ref || (kind === 'tag_push') !== (ref.refKind === 'tag')) {
    return {
      kind: 'unreadable',
      reason: `${event} with ref ${push.ref}: not a ${
        kind === 'tag_push' ? 'tag' : 'branch'
      }`,
    };
  }
  if (!push.checkout_sha) {
    return {
      kind: 'ignore',
      reason: `the push deleted ${ref.refKind} ${ref.name}`,
    };
  }
  const head =
    push.commits.find(c => c.id === push.checkout_sha) ?? push.commits.at(-1);
  return {
    kind: 'build',
    trigger: kind === 'tag_push' ? 'gitlab-tag' : 'gitlab-push',
    ref: ref.name,
    refKind: ref.refKind,
    commitSha: push.checkout_sha,
    commitMessage: head?.id === push.checkout_sha ? head.message : undefined,
    commitAuthor: head?.id === push.checkout_sha ? authorOf(head) : undefined,
    pushedBy: push.user_username ?? push.user_name,
    repositoryUrl: push.project?.git_http_url,
  };
}

function parseHubPush(
  provider: 'gitea' | 'github',
  event: string | undefined,
  body: unknown,
): ParsedEvent {
  if (event !== 'push') {
    return {
      kind: 'ignore',
      reason: `the ${event ?? 'unnamed'} event builds nothing (push does)`,
    };
  }
  const parsed = hubPush.safeParse(body);
  if (!parsed.success) return unreadable(parsed.error);
  const push = parsed.data;
  const ref = refOf(push.ref);
  if (!ref) {
    return { kind: 'ignore', reason: `a push to ${push.ref} builds nothing` };
  }
  if (push.deleted || NO_COMMIT.test(push.after)) {
    return {
      kind: 'ignore',
      reason: `the push deleted ${ref.refKind} ${ref.name}`,
    };
  }
  const checked = sha.safeParse(push.after);
  if (!checked.success) return unreadable(checked.error);
  const head =
    push.head_commit ?? push.commits.find(c => c.id === push.after) ?? null;
  return {
    kind: 'build',
    trigger: `${provider}-${ref.refKind === 'tag' ? 'tag' : 'push'}`,
    ref: ref.name,
    refKind: ref.refKind,
    commitSha: push.after,
    commitMessage: head?.id === push.after ? head.message : undefined,
    commitAuthor: head?.id === push.after ? authorOf(head) : undefined,
    pushedBy: push.pusher?.username ?? push.pusher?.login ?? push.pusher?.name,
    repositoryUrl: push.repository?.clone_url,
  };
}

/** The header that names a delivery's event, per git host. */
export const EVENT_HEADER: Record<WebhookProvider, string> = {
  gitlab: 'x-gitlab-event',
  gitea: 'x-gitea-event',
  github: 'x-github-event',
};

/** The header that carries a delivery's id, per git host. */
export const DELIVERY_HEADER: Record<WebhookProvider, string> = {
  gitlab: 'x-gitlab-event-uuid',
  gitea: 'x-gitea-delivery',
  github: 'x-github-delivery',
};

/**
 * What a delivery asks for, from its event header and raw body, in the git host's documented
 * shape: a build (branch or tag, commit), an event that builds nothing, or a payload that is not
 * what its event says.
 */
export function parseDelivery(
  provider: WebhookProvider,
  event: string | undefined,
  raw: Buffer,
): ParsedEvent {
  const body = parseJson(raw);
  if (body === undefined || typeof body !== 'object' || body === null) {
    return { kind: 'unreadable', reason: 'the payload is not a JSON object' };
  }
  return provider === 'gitlab'
    ? parseGitlab(event, body)
    : parseHubPush(provider, event, body);
}
