import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { LocalGitTestServer } from '../__testUtils__/localGitServer';
import { createPublishLocalGitAction } from './publishLocalGitAction';
import { FolderPush, LocalGitServer } from './publishLocalGitServer';
import { LocalGitUrlReader } from './publishLocalGitReader';

jest.setTimeout(60_000);

/** A workspace holding a small skeleton. */
function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cc-publish-ws-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const SKELETON = {
  'package.json': '{"name":"demo"}\n',
  'src/server.js': 'console.log("hi");\n',
  'catalog-info.yaml': 'kind: Component\n',
};

async function publish(
  server: LocalGitServer | undefined,
  input: object,
  workspacePath: string,
  options: { dryRun?: boolean } = {},
) {
  const outputs: Record<string, any> = {};
  const logs: string[] = [];
  const base = createMockActionContext({ input: input as any, workspacePath });
  const ctx = {
    ...base,
    isDryRun: options.dryRun,
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    logger: {
      ...base.logger,
      info: (m: string) => logs.push(m),
      warn: (m: string) => logs.push(m),
      error: (m: string) => logs.push(m),
    },
  };
  await createPublishLocalGitAction({ server }).handler(ctx as any);
  return { outputs, logs };
}

/** The files of a repository's main, read back with git (through the action's own askpass). */
async function filesOnMain(server: LocalGitServer, cloneUrl: string) {
  const empty = workspace({});
  const git = await FolderPush.start(empty, server, {
    name: 't',
    email: 't@x',
  });
  try {
    await git.git(['fetch', '-q', cloneUrl, 'refs/heads/main']);
    const names = (
      await git.git(['ls-tree', '-r', '--name-only', 'FETCH_HEAD'])
    ).split('\n');
    const files: Record<string, string> = {};
    for (const name of names) {
      files[name] = `${await git.git(['show', `FETCH_HEAD:${name}`])}\n`;
    }
    return files;
  } finally {
    await git.close();
    rmSync(empty, { recursive: true, force: true });
  }
}

/** The same behaviour against one git server: ours on loopback, or the local cloud's. */
function behaviour(
  title: string,
  make: () => Promise<{
    server: LocalGitServer;
    /** ends the server, or removes the repositories named `<prefix>…` from a shared one */
    stop: (prefix: string) => Promise<void>;
  }>,
) {
  // eslint-disable-next-line jest/valid-title
  describe(title, () => {
    let git: Awaited<ReturnType<typeof make>>;
    const cleanup: string[] = [];
    const unique = `demo-${process.pid}-${Date.now().toString(36)}`;

    beforeAll(async () => {
      git = await make();
    });
    afterAll(async () => {
      await git?.stop(unique);
      for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
    });

    const ws = (files: Record<string, string>) => {
      const dir = workspace(files);
      cleanup.push(dir);
      return dir;
    };

    it('a dry run creates nothing and pushes nothing', async () => {
      const { outputs, logs } = await publish(
        git.server,
        { repoName: `${unique}-dry` },
        ws(SKELETON),
        { dryRun: true },
      );
      expect(outputs).toMatchObject({ outcome: 'would-push', created: false });
      expect(logs.join('\n')).toContain(`would create ${unique}-dry`);
      const answer = await fetch(`${git.server.url}/api/repos/${unique}-dry`, {
        headers: {
          authorization: `Basic ${Buffer.from(
            `${git.server.username}:${git.server.password}`,
          ).toString('base64')}`,
        },
      });
      expect(answer.status).toBe(404);
    });

    it('creates the repository and pushes the workspace as main, credentials nowhere in sight', async () => {
      const dir = ws(SKELETON);
      const { outputs, logs } = await publish(
        git.server,
        { repoName: unique },
        dir,
      );
      expect(outputs).toMatchObject({
        outcome: 'pushed',
        created: true,
        cloneUrl: `${git.server.url}/${unique}.git`,
        remoteUrl: `${git.server.url}/${unique}.git`,
      });
      expect(outputs.commitSha).toMatch(/^[0-9a-f]{40}$/);
      const said = JSON.stringify({ outputs, logs });
      expect(said).not.toContain(git.server.password);
      // the workspace gets no .git of ours
      expect(() => readFileSync(join(dir, '.git', 'HEAD'))).toThrow();
      expect(await filesOnMain(git.server, outputs.cloneUrl)).toEqual(SKELETON);
    });

    it('the catalog can read what was pushed: LocalGitUrlReader answers catalogInfoUrl', async () => {
      const { outputs } = await publish(
        git.server,
        { repoName: `${unique}-read` },
        ws(SKELETON),
      );
      const reader = new LocalGitUrlReader(git.server);
      expect(outputs.catalogInfoUrl).toBe(
        `${git.server.url}/${unique}-read.git/raw/main/catalog-info.yaml`,
      );
      expect(reader.matches(new URL(outputs.catalogInfoUrl))).toBe(true);
      expect(reader.matches(new URL(`${git.server.url}/api/repos`))).toBe(
        false,
      );
      expect(
        reader.matches(new URL('https://example.com/x.git/raw/main/a.yaml')),
      ).toBe(false);
      const read = await reader.readUrl(outputs.catalogInfoUrl);
      expect((await read.buffer()).toString()).toBe(
        SKELETON['catalog-info.yaml'],
      );
      expect(read.etag).toBe(outputs.commitSha);
      await expect(
        reader.readUrl(outputs.catalogInfoUrl, { etag: read.etag }),
      ).rejects.toMatchObject({ name: 'NotModifiedError' });
      await expect(
        reader.readUrl(
          `${git.server.url}/${unique}-read.git/raw/main/nope.yaml`,
        ),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
      await expect(
        reader.readUrl(
          `${git.server.url}/${unique}-read.git/raw/main/../../etc/passwd`,
        ),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
    });

    it('a re-run with the same files pushes nothing', async () => {
      const first = await publish(
        git.server,
        { repoName: `${unique}-again` },
        ws(SKELETON),
      );
      const again = await publish(
        git.server,
        { repoName: `${unique}-again` },
        ws(SKELETON),
      );
      expect(again.outputs).toMatchObject({
        outcome: 'unchanged',
        created: false,
        commitSha: first.outputs.commitSha,
      });
      expect(again.logs.join('\n')).toContain('nothing pushed');
    });

    it('other files on main fail the step and nothing is pushed', async () => {
      const first = await publish(
        git.server,
        { repoName: `${unique}-other` },
        ws(SKELETON),
      );
      await expect(
        publish(
          git.server,
          { repoName: `${unique}-other` },
          ws({ ...SKELETON, 'src/server.js': 'changed\n' }),
        ),
      ).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining(
          'has other files on main than this template made (1 differ: M src/server.js); nothing was pushed',
        ),
      });
      const heads = await publish(
        git.server,
        { repoName: `${unique}-other` },
        ws(SKELETON),
      );
      expect(heads.outputs.commitSha).toBe(first.outputs.commitSha);
    });

    it('refuses a bad repository name with a 400 naming repoName', async () => {
      await expect(
        publish(git.server, { repoName: 'Bad Name' }, ws(SKELETON)),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining("repoName: 'Bad Name'"),
      });
    });

    it('says so when the git server refuses its credentials', async () => {
      await expect(
        publish(
          { ...git.server, password: 'wrong-password' },
          { repoName: `${unique}-denied` },
          ws(SKELETON),
        ),
      ).rejects.toThrow(/answered 401/);
    });
  });
}

behaviour(
  'publish:container-cloud:local-git (a loopback git server with git http-backend)',
  async () => {
    const server = await new LocalGitTestServer().start();
    return {
      server: {
        url: server.url,
        username: server.username,
        password: server.password,
      },
      stop: () => server.stop(),
    };
  },
);

// The local cloud's own git server (issue 16's H1), when its environment is loaded.
const localGit = process.env.LOCAL_CLOUD_GIT_URL;
if (localGit) {
  behaviour(
    'publish:container-cloud:local-git (the local cloud’s git server)',
    async () => {
      const config: any = yaml.load(
        readFileSync(process.env.LOCAL_CLOUD_APP_CONFIG!, 'utf8'),
      );
      const codeflow = config.containerCloud.codeflow;
      const credential = codeflow.credentials.find(
        (c: { name: string }) => c.name === codeflow.git.credentials,
      );
      return {
        server: {
          url: codeflow.git.url,
          username: credential.username,
          password: credential.password,
        },
        stop: async (prefix: string) => {
          const server = codeflow.git.url;
          const authorization = `Basic ${Buffer.from(
            `${credential.username}:${credential.password}`,
          ).toString('base64')}`;
          const list = await fetch(`${server}/api/repos`, {
            headers: { authorization },
          });
          const { items } = (await list.json()) as {
            items: { name: string }[];
          };
          for (const { name } of items.filter(r => r.name.startsWith(prefix))) {
            await fetch(`${server}/api/repos/${name}`, {
              method: 'DELETE',
              headers: { authorization },
            });
          }
        },
      };
    },
  );
} else {
  describe('publish:container-cloud:local-git (the local cloud’s git server)', () => {
    // a component the test needs and cannot find fails it, never skips it
    it('needs the local cloud’s git server', () => {
      expect(
        process.env.LOCAL_CLOUD_GIT_URL ??
          'LOCAL_CLOUD_GIT_URL is not set: load `eval "$(node packages/local-cloud/bin/local-cloud env)"` with the local cloud up (it runs the git server)',
      ).toMatch(/^https?:\/\//);
    });
  });
}

describe('publish:container-cloud:local-git without a git server configured', () => {
  it('fails in words and points to publish:gitlab', async () => {
    await expect(
      publish(undefined, { repoName: 'x' }, workspace(SKELETON)),
    ).rejects.toThrow(
      'containerCloud.codeflow.git is not configured here: use publish:gitlab',
    );
  });
});
