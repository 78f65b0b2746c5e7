import type { Config } from '@backstage/config';
import { NotFoundError, ServiceUnavailableError } from '@backstage/errors';

/** A registry the portal may ask for tags: the image host it serves, and how to reach it. @public */
export interface RegistryConfig {
  /** the host image references name, e.g. registry.example.com or docker.io */
  host: string;
  /** its Registry API (v2) base URL; default https://<host> */
  url: string;
  auth?:
    | { type: 'basic'; username: string; password: string }
    | { type: 'bearer'; token: string };
}

/** An image reference split the way registries see it. @public */
export interface ImageName {
  host: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** The tags of one repository, newest version first. @public */
export interface ImageTags {
  host: string;
  repository: string;
  tags: string[];
  /** true when the registry had more than the limit */
  truncated: boolean;
}

/** Reads `containerCloud.registries`. @public */
export function readRegistries(config: Config): RegistryConfig[] {
  return (config.getOptionalConfigArray('containerCloud.registries') ?? []).map(
    r => {
      const host = r.getString('host');
      const auth = r.getOptionalConfig('auth');
      const type = auth?.getString('type');
      let credentials: RegistryConfig['auth'];
      if (type === 'basic') {
        credentials = {
          type,
          username: auth!.getString('username'),
          password: auth!.getString('password'),
        };
      } else if (type === 'bearer') {
        credentials = { type, token: auth!.getString('token') };
      }
      return {
        host,
        url: (r.getOptionalString('url') ?? `https://${host}`).replace(
          /\/+$/,
          '',
        ),
        auth: credentials,
      };
    },
  );
}

/**
 * Splits an image reference: the first part is a registry host when it has a dot or a port or is
 * localhost (as container runtimes read it); otherwise the image is on Docker Hub.
 * @public
 */
export function parseImageName(image: string): ImageName {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const [first, ...others] = rest.split('/');
  const isHost =
    others.length > 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost');
  if (isHost) return { host: first, repository: others.join('/'), tag, digest };
  return {
    host: 'docker.io',
    repository: others.length ? rest : `library/${rest}`,
    tag,
    digest,
  };
}

/** Newest version first: dotted numbers compare as numbers; other tags follow, by name. @public */
export function compareTagsNewestFirst(a: string, b: string): number {
  const version = (t: string) => /^v?(\d+(?:\.\d+)*)(.*)$/.exec(t);
  const va = version(a);
  const vb = version(b);
  if (va && !vb) return -1;
  if (!va && vb) return 1;
  if (va && vb) {
    const na = va[1].split('.').map(Number);
    const nb = vb[1].split('.').map(Number);
    for (let i = 0; i < Math.max(na.length, nb.length); i++) {
      const d = (nb[i] ?? 0) - (na[i] ?? 0);
      if (d !== 0) return d;
    }
    // 1.2.0 before 1.2.0-rc1
    if (va[2] !== vb[2]) {
      if (!va[2]) return -1;
      if (!vb[2]) return 1;
    }
  }
  return b.localeCompare(a);
}

/**
 * Tag lists from the configured registries over the Registry API v2 (`/v2/<name>/tags/list`,
 * following its `Link` pages), with basic or bearer credentials from config. Bounded in pages and
 * time; errors say which registry and why. A `Link` to another origin than the registry's URL is
 * not followed (the credentials would go with it): the list ends there, reported truncated.
 * @public
 */
export class ImageRegistries {
  constructor(
    private readonly registries: RegistryConfig[],
    private readonly options: {
      timeoutMs?: number;
      maxTags?: number;
      pageSize?: number;
      /** `Link` pages followed at most (default 20); a registry with more is reported truncated */
      maxPages?: number;
    } = {},
  ) {}

  static fromConfig(config: Config) {
    return new ImageRegistries(readRegistries(config));
  }

  /** The registry configured for an image's host, if any. */
  registryFor(image: string): RegistryConfig | undefined {
    const { host } = parseImageName(image);
    return this.registries.find(r => r.host === host);
  }

  async tags(image: string): Promise<ImageTags> {
    const name = parseImageName(image);
    const registry = this.registries.find(r => r.host === name.host);
    if (!registry) {
      throw new NotFoundError(
        `no registry is configured for ${name.host} (containerCloud.registries); type the image instead`,
      );
    }
    const maxTags = this.options.maxTags ?? 1000;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (registry.auth?.type === 'basic') {
      headers.Authorization = `Basic ${Buffer.from(
        `${registry.auth.username}:${registry.auth.password}`,
      ).toString('base64')}`;
    } else if (registry.auth?.type === 'bearer') {
      headers.Authorization = `Bearer ${registry.auth.token}`;
    }
    const tags: string[] = [];
    let next: string | undefined = `${registry.url}/v2/${
      name.repository
    }/tags/list?n=${this.options.pageSize ?? 200}`;
    let truncated = false;
    const origin = new URL(registry.url).origin;
    const maxPages = this.options.maxPages ?? 20;
    let pages = 0;
    while (next) {
      if (pages === maxPages) {
        truncated = true;
        break;
      }
      pages += 1;
      let response: Response;
      try {
        response = await fetch(next, {
          headers,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
        });
      } catch (error) {
        throw new Error(
          `registry ${registry.host} did not answer: ${
            (error as Error).message
          }`,
        );
      }
      if (response.status === 401 || response.status === 403) {
        throw new ServiceUnavailableError(
          `registry ${registry.host} refused the portal's credentials (${response.status})`,
        );
      }
      if (response.status === 404) {
        throw new NotFoundError(
          `registry ${registry.host} has no repository ${name.repository}`,
        );
      }
      if (!response.ok) {
        throw new ServiceUnavailableError(
          `registry ${registry.host} answered ${response.status} for ${name.repository}`,
        );
      }
      const body = (await response.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      if (tags.length >= maxTags) {
        truncated = true;
        break;
      }
      const link = /<([^>]+)>;\s*rel="next"/.exec(
        response.headers.get('link') ?? '',
      )?.[1];
      const nextUrl: URL | undefined = link ? new URL(link, next) : undefined;
      if (nextUrl && nextUrl.origin !== origin) {
        truncated = true;
        break;
      }
      next = nextUrl?.toString();
    }
    return {
      host: name.host,
      repository: name.repository,
      tags: tags.slice(0, maxTags).sort(compareTagsNewestFirst),
      truncated,
    };
  }
}
