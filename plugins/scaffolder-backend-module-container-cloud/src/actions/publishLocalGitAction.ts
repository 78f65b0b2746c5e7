import { resolve, relative, isAbsolute } from 'node:path';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { localGitFileUrl } from './publishLocalGitReader';
import {
  FolderPush,
  LocalGitApi,
  LocalGitServer,
  REPOSITORY_NAME,
} from './publishLocalGitServer';

/** The links of a repository on the local git server, for the template's next steps. */
export function localRepositoryLinks(server: { url: string }, name: string) {
  const cloneUrl = `${server.url}/${name}.git`;
  return {
    // the git server serves no web page: the clone URL is the repository's address
    remoteUrl: cloneUrl,
    cloneUrl,
    // files as LocalGitUrlReader reads them (the server itself serves only git)
    repoContentsUrl: localGitFileUrl(server, name, 'main', ''),
    catalogInfoUrl: localGitFileUrl(server, name, 'main', 'catalog-info.yaml'),
  };
}

/**
 * `publish:container-cloud:local-git` — LOCAL CLOUD ONLY. The local cloud's git server (Debian's
 * `git http-backend` with a small API, `containerCloud.codeflow.git`) is no forge a Backstage
 * publish module supports, so this action creates the repository through its API and pushes the
 * workspace to `main`. Production templates use `publish:gitlab`.
 *
 * Idempotent: a repository whose `main` holds exactly the workspace's files is `unchanged`
 * (nothing pushed); an empty one gets the push; one with other files fails the step (never a
 * force push). Webhooks are not set here: the codeflow that would receive them is created by a
 * later step (and setting its secret is the codeflow's webhook permission).
 */
export function createPublishLocalGitAction(options: {
  /** undefined: not configured (the action fails in words) */
  server: LocalGitServer | undefined;
}) {
  return createTemplateAction({
    id: 'publish:container-cloud:local-git',
    description:
      "LOCAL CLOUD ONLY: creates a repository on the local cloud's git server (containerCloud.codeflow.git) and pushes the workspace as its main branch. Idempotent: the same files are not pushed again; other files on main fail the step, nothing is force-pushed.",
    examples: [
      {
        description: 'publish the skeleton as payments-api',
        example: JSON.stringify(
          {
            steps: [
              {
                action: 'publish:container-cloud:local-git',
                id: 'publish',
                input: { repoName: 'payments-api' },
              },
            ],
          },
          null,
          2,
        ),
      },
    ],
    supportsDryRun: true,
    schema: {
      input: z =>
        z.object({
          repoName: z
            .string()
            .describe(
              "the repository's name: lower-case letters, digits, . _ -",
            ),
          sourcePath: z
            .string()
            .optional()
            .describe('the workspace folder to publish (default: all of it)'),
          gitCommitMessage: z
            .string()
            .optional()
            .describe('the message of the first commit'),
          gitAuthorName: z.string().optional(),
          gitAuthorEmail: z.string().optional(),
        }),
      output: z =>
        z.object({
          remoteUrl: z.string(),
          cloneUrl: z.string(),
          repoContentsUrl: z.string(),
          catalogInfoUrl: z.string(),
          commitSha: z
            .string()
            .describe("main's commit (empty in a dry run of a push)"),
          outcome: z.enum(['pushed', 'unchanged', 'would-push']),
          created: z.boolean().describe('this step created the repository'),
        }),
    },
    async handler(ctx) {
      const { server } = options;
      if (!server) {
        throw new InputError(
          'publish:container-cloud:local-git publishes to the local cloud’s git server, and containerCloud.codeflow.git is not configured here: use publish:gitlab',
        );
      }
      const { repoName } = ctx.input;
      if (!REPOSITORY_NAME.test(repoName) || repoName.includes('..')) {
        throw new InputError(
          `repoName: '${repoName}' is not a repository name (lower-case letters, digits, . _ -, starting with a letter or digit, at most 100, no ..)`,
        );
      }
      const folder = resolve(ctx.workspacePath, ctx.input.sourcePath ?? '.');
      const inside = relative(ctx.workspacePath, folder);
      if (inside.startsWith('..') || isAbsolute(inside)) {
        throw new InputError(
          `sourcePath: ${ctx.input.sourcePath} is outside the workspace`,
        );
      }
      const api = new LocalGitApi(server);
      const links = localRepositoryLinks(server, repoName);
      const dryRun = ctx.isDryRun ?? false;

      const publish = async () => {
        let repository = await api.get(repoName);
        const created = !repository;
        if (!repository) {
          if (dryRun) {
            ctx.logger.info(
              `would create ${repoName} on the local git server and push the workspace to main`,
            );
            return {
              ...links,
              commitSha: '',
              outcome: 'would-push' as const,
              created: false,
            };
          }
          repository = await api.create(repoName);
          ctx.logger.info(`created repository ${repoName}`);
        }
        const push = await FolderPush.start(folder, server, {
          name: ctx.input.gitAuthorName ?? 'Container Cloud scaffolder',
          email: ctx.input.gitAuthorEmail ?? 'scaffolder@container-cloud.local',
        });
        try {
          const { outcome, commitSha } = await push.pushMain(
            repository.cloneUrl,
            ctx.input.gitCommitMessage ?? 'Initial commit from the scaffolder',
            dryRun,
          );
          const said = {
            unchanged: `${repoName}'s main already holds these files (${commitSha}): nothing pushed`,
            pushed: `pushed ${commitSha} to ${repoName}'s main`,
            'would-push': `would push the workspace to ${repoName}'s main`,
          };
          ctx.logger.info(said[outcome]);
          return {
            ...links,
            remoteUrl: repository.cloneUrl,
            cloneUrl: repository.cloneUrl,
            commitSha,
            outcome,
            created,
          };
        } finally {
          await push.close();
        }
      };

      const output = dryRun
        ? await publish()
        : await ctx.checkpoint({
            key: `publish:container-cloud:local-git:${repoName}`,
            fn: publish,
          });
      for (const [name, value] of Object.entries(output)) {
        ctx.output(name as any, value);
      }
    },
  });
}
