import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createServiceFactory,
  type UrlReaderService,
  type UrlReaderServiceReadUrlOptions,
  type UrlReaderServiceReadUrlResponse,
  type UrlReaderServiceSearchOptions,
  type UrlReaderServiceSearchResponse,
} from '@backstage/backend-plugin-api';
import {
  urlReaderFactoriesServiceRef,
  type ReaderFactory,
} from '@backstage/backend-defaults/urlReader';
import { NotFoundError, NotModifiedError } from '@backstage/errors';
import {
  FolderPush,
  LocalGitServer,
  localGitServerFromConfig,
  REPOSITORY_NAME,
} from './publishLocalGitServer';

/**
 * The address of a file of a branch of a repository on the local git server, as this module's
 * reader reads it (the server itself serves git only, no file pages):
 * `<url>/<name>.git/raw/<branch>/<path>`.
 */
export function localGitFileUrl(
  server: { url: string },
  name: string,
  branch: string,
  path: string,
) {
  return `${server.url}/${name}.git/raw/${branch}/${path.replace(/^\/+/, '')}`;
}

const FILE_PATH = /^\/([^/]+)\.git\/raw\/([A-Za-z0-9._-]+)\/(.+)$/;

/**
 * Reads files of the local cloud's git server for the catalog (a `catalog:register`ed
 * `catalog-info.yaml`): fetches the branch's head with git (depth 1, the credentials of
 * `containerCloud.codeflow.git` through GIT_ASKPASS) and answers the file's bytes, with the
 * commit as its etag (an unchanged branch is NotModified). LOCAL CLOUD ONLY, like the publish
 * action; it reads nothing else (`search` answers the one file, `readTree` is not offered).
 */
export class LocalGitUrlReader implements UrlReaderService {
  constructor(private readonly server: LocalGitServer) {}

  /** Whether a URL is a file of this git server, in `localGitFileUrl`'s shape. */
  matches(url: URL): boolean {
    return (
      url.origin === new URL(this.server.url).origin &&
      FILE_PATH.test(url.pathname)
    );
  }

  async readUrl(
    url: string,
    options?: UrlReaderServiceReadUrlOptions,
  ): Promise<UrlReaderServiceReadUrlResponse> {
    const match = FILE_PATH.exec(new URL(url).pathname);
    const [, name, branch, path] = match ?? [];
    if (
      !match ||
      !REPOSITORY_NAME.test(name) ||
      path.split('/').includes('..')
    ) {
      throw new NotFoundError(`${url} is no file of the local git server`);
    }
    const scratch = await mkdtemp(join(tmpdir(), 'cc-git-read-'));
    const git = await FolderPush.start(scratch, this.server, {
      name: 'reader',
      email: 'reader@container-cloud.local',
    });
    try {
      try {
        await git.git([
          'fetch',
          '-q',
          '--depth=1',
          `${this.server.url}/${name}.git`,
          `refs/heads/${branch}`,
        ]);
      } catch (error) {
        throw new NotFoundError(
          `${name}: no branch ${branch} on the local git server (${
            (error as Error).message
          })`,
        );
      }
      const commit = await git.git(['rev-parse', 'FETCH_HEAD']);
      if (options?.etag === commit) throw new NotModifiedError();
      let content: Buffer;
      try {
        content = await git.gitRaw(['show', `FETCH_HEAD:${path}`]);
      } catch {
        throw new NotFoundError(`${name}: no file ${path} on ${branch}`);
      }
      return { buffer: async () => content, etag: commit };
    } finally {
      await git.close();
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async readTree(): Promise<never> {
    throw new Error(
      'the local git server reader reads single files only (readTree is not supported)',
    );
  }

  /** One file (the catalog searches even a plain URL); no glob patterns. */
  async search(
    url: string,
    options?: UrlReaderServiceSearchOptions,
  ): Promise<UrlReaderServiceSearchResponse> {
    if (/[*?]/.test(new URL(url).pathname)) {
      throw new Error(
        'the local git server reader reads single files: no * or ? patterns',
      );
    }
    try {
      const file = await this.readUrl(url, options);
      return {
        files: [{ url, content: file.buffer }],
        etag: file.etag ?? '',
      };
    } catch (error) {
      // a file not there is an empty search, as other readers answer
      if ((error as Error).name === 'NotFoundError') {
        return { files: [], etag: '' };
      }
      throw error;
    }
  }

  toString() {
    return `local-git{url=${this.server.url}}`;
  }

  /** The reader for `containerCloud.codeflow.git`; none when it is not configured. */
  static factory: ReaderFactory = ({ config }) => {
    const server = localGitServerFromConfig(config);
    if (!server) return [];
    const reader = new LocalGitUrlReader(server);
    return [{ reader, predicate: url => reader.matches(url) }];
  };
}

/**
 * Adds the local git server's reader to the backend's URL readers (`backend.add(...)` in
 * packages/backend), so the catalog reads what `publish:container-cloud:local-git` pushed.
 * @public
 */
export const localGitUrlReaderFactory = createServiceFactory({
  service: urlReaderFactoriesServiceRef,
  deps: {},
  async factory() {
    return LocalGitUrlReader.factory;
  },
});
