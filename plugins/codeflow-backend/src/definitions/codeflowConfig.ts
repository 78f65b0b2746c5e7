import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { BuildImage } from '@internal/plugin-container-cloud-common';

/** A credential a codeflow may reference by name (its values never leave the backend). */
export interface CodeflowCredential {
  name: string;
  description: string;
  username?: string;
  /** a password or token for http(s) repositories */
  password?: string;
  /** a private key for ssh repositories */
  sshPrivateKey?: string;
}

/** `containerCloud.codeflow`, read once (see config.d.ts). */
export interface CodeflowConfig {
  buildImages: BuildImage[];
  credentials: CodeflowCredential[];
  /** where pre-processing images are kept, tagged by their key */
  preprocessingRepository: string;
  /**
   * the git hosts codeflows may fetch from (`host`, or `host:port`); undefined: any. Builds fetch
   * from the backend's host, so an open list lets anyone who may edit a codeflow make the
   * backend reach any address it can (internal services, the cloud's metadata endpoint).
   */
  repositoryHosts?: string[];
}

/** The host (and port, when written) of a codeflow's repository URL, lower-cased. */
export function repositoryHostOf(
  url: string,
): { host: string; port?: string } | undefined {
  const scp = /^[^@/:]+@([^:/]+):/.exec(url); // git@host:path
  if (scp && !url.includes('://')) return { host: scp[1].toLowerCase() };
  try {
    const parsed = new URL(url);
    return {
      host: parsed.hostname.toLowerCase().replace(/^\[|\]$/g, ''),
      ...(parsed.port ? { port: parsed.port } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Why a repository URL is not one the configuration allows, or undefined when it is (or when
 * `containerCloud.codeflow.repositoryHosts` is not set).
 */
export function repositoryHostRefusal(
  url: string,
  hosts: string[] | undefined,
): string | undefined {
  if (!hosts) return undefined;
  const at = repositoryHostOf(url);
  const allowed =
    at !== undefined &&
    hosts.some(entry => {
      const [host, port] = entry.toLowerCase().split(/:(?=\d+$)/);
      return host === at.host && (port === undefined || port === at.port);
    });
  return allowed
    ? undefined
    : `repositoryUrl: codeflows fetch only from ${hosts.join(
        ', ',
      )} (containerCloud.codeflow.repositoryHosts); ${
        at ? `${at.host}${at.port ? `:${at.port}` : ''}` : 'this URL'
      } is not one of them`;
}

/** An image reference without its tag and digest: the repository it lives in, lower-case. */
function repositoryOf(image: string): string {
  const noDigest = image.split('@')[0];
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const name = colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
  return name.toLowerCase();
}

/**
 * Why a service's built images may not go to `repository` (`<registry.repository>/<service>`),
 * or undefined when they may: a repository that holds a build image, a runtime image or the
 * pre-processing images would have its tags overwritten by a service's pushes (a service named
 * like a build image, e.g. `node`, on a registry path that also holds the build images).
 */
export function builtImageRepositoryClash(
  repository: string,
  config: Pick<CodeflowConfig, 'buildImages' | 'preprocessingRepository'>,
): string | undefined {
  const target = repositoryOf(repository);
  if (target === repositoryOf(config.preprocessingRepository)) {
    return `the built images would go to ${repository}, which holds the pre-processing images (containerCloud.codeflow.preprocessingRepository): give containerCloud.codeflow.registry.repository another path`;
  }
  const image = config.buildImages.find(
    b =>
      repositoryOf(b.image) === target ||
      repositoryOf(b.runtimeImage) === target,
  );
  return image
    ? `the built images would go to ${repository}, which holds the build image ${image.id} (${image.image}): pushing there would overwrite its tags. Rename the service, or give containerCloud.codeflow.registry.repository a path of its own`
    : undefined;
}

/**
 * The build images when `containerCloud.codeflow.buildImages` lists none: JDK 8/11/17/21 with
 * Maven or Gradle, Node 18/20/22, Python 3.x, Go and plain Debian, from Docker Hub's official
 * images, or from the mirror `containerCloud.codeflow.imageRegistry` names.
 */
export function defaultBuildImages(registry?: string): BuildImage[] {
  const at = (image: string) =>
    registry ? `${registry.replace(/\/+$/, '')}/${image}` : image;
  const images: BuildImage[] = [];
  for (const jdk of [8, 11, 17, 21]) {
    images.push({
      id: `jdk${jdk}-maven`,
      title: `JDK ${jdk} with Maven`,
      image: at(`maven:3.9-eclipse-temurin-${jdk}`),
      runtimeImage: at(`eclipse-temurin:${jdk}-jre`),
    });
    images.push({
      id: `jdk${jdk}-gradle`,
      title: `JDK ${jdk} with Gradle`,
      image: at(`gradle:8-jdk${jdk}`),
      runtimeImage: at(`eclipse-temurin:${jdk}-jre`),
    });
  }
  for (const node of [18, 20, 22]) {
    images.push({
      id: `node-${node}`,
      title: `Node ${node}`,
      image: at(`node:${node}`),
      runtimeImage: at(`node:${node}-slim`),
    });
  }
  for (const python of ['3.11', '3.12', '3.13']) {
    images.push({
      id: `python-${python}`,
      title: `Python ${python}`,
      image: at(`python:${python}`),
      runtimeImage: at(`python:${python}-slim`),
    });
  }
  images.push({
    id: 'go',
    title: 'Go',
    image: at('golang:1.23'),
    runtimeImage: at('debian:bookworm-slim'),
  });
  images.push({
    id: 'plain',
    title: 'Plain (Debian, bring your own tools)',
    image: at('debian:bookworm'),
    runtimeImage: at('debian:bookworm-slim'),
  });
  return images;
}

const ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const CREDENTIAL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Reads `containerCloud.codeflow`; throws on a list that does not parse. */
export function readCodeflowConfig(config: Config): CodeflowConfig {
  const c = config.getOptionalConfig('containerCloud.codeflow');
  const configured = c?.getOptionalConfigArray('buildImages');
  const buildImages = configured
    ? configured.map(b => ({
        id: b.getString('id'),
        title: b.getString('title'),
        image: b.getString('image'),
        runtimeImage: b.getString('runtimeImage'),
      }))
    : defaultBuildImages(c?.getOptionalString('imageRegistry'));
  const seen = new Set<string>();
  for (const b of buildImages) {
    if (!ID.test(b.id) || seen.has(b.id)) {
      throw new InputError(
        `containerCloud.codeflow.buildImages: id ${b.id} is not a unique id (lower-case letters, digits, . _ -)`,
      );
    }
    seen.add(b.id);
  }
  const credentials = (c?.getOptionalConfigArray('credentials') ?? []).map(
    x => ({
      name: x.getString('name'),
      description: x.getOptionalString('description') ?? '',
      username: x.getOptionalString('username'),
      password: x.getOptionalString('password'),
      sshPrivateKey: x.getOptionalString('sshPrivateKey'),
    }),
  );
  const names = new Set<string>();
  for (const x of credentials) {
    if (!CREDENTIAL.test(x.name) || names.has(x.name)) {
      throw new InputError(
        `containerCloud.codeflow.credentials: name ${x.name} is not a unique name (letters, digits, . _ -)`,
      );
    }
    names.add(x.name);
  }
  return {
    buildImages,
    credentials,
    preprocessingRepository:
      c?.getOptionalString('preprocessingRepository') ??
      'localhost/codeflow-preprocessed',
    repositoryHosts: c?.getOptionalStringArray('repositoryHosts'),
  };
}
