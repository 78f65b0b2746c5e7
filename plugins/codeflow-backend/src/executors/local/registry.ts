import type { CodeflowCredential } from '../../definitions/codeflowConfig';

/** An image reference split: registry host, repository path, tag (or digest). */
export interface ImageReference {
  host: string;
  repository: string;
  reference: string;
}

/** `127.0.0.1:5000/codeflow/preprocessed:abc` → host, repository, tag. Only fully qualified references. */
export function parseImageReference(image: string): ImageReference {
  const slash = image.indexOf('/');
  if (slash <= 0) {
    throw new Error(`${image} names no registry (host/repository:tag)`);
  }
  const host = image.slice(0, slash);
  let rest = image.slice(slash + 1);
  let reference = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) {
    reference = rest.slice(at + 1);
    rest = rest.slice(0, at);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      reference = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
  }
  if (!/^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(rest)) {
    throw new Error(`${image} is no valid image reference`);
  }
  return { host, repository: rest, reference };
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

function basic(credential: CodeflowCredential | null): string | null {
  if (!credential?.username || credential.password === undefined) return null;
  return `Basic ${Buffer.from(
    `${credential.username}:${credential.password}`,
  ).toString('base64')}`;
}

/**
 * Asks the registry (Registry v2 API) whether it has the image: a manifest HEAD, with basic auth,
 * or the bearer token its 401 challenge points to. Plain HTTP when `insecure`.
 */
export async function registryHasImage(
  image: string,
  options: {
    insecure: boolean;
    credential: CodeflowCredential | null;
    signal?: AbortSignal;
  },
): Promise<boolean> {
  const ref = parseImageReference(image);
  const url = `${options.insecure ? 'http' : 'https'}://${ref.host}/v2/${
    ref.repository
  }/manifests/${encodeURIComponent(ref.reference)}`;
  const head = (authorization: string | null) =>
    fetch(url, {
      method: 'HEAD',
      headers: {
        Accept: MANIFEST_TYPES,
        ...(authorization ? { Authorization: authorization } : {}),
      },
      signal: options.signal,
    });
  let response = await head(basic(options.credential));
  if (response.status === 401) {
    const challenge = response.headers.get('www-authenticate') ?? '';
    const token = await bearerToken(challenge, ref, options);
    if (token) response = await head(`Bearer ${token}`);
  }
  if (response.status === 200) return true;
  if (response.status === 404) return false;
  throw new Error(
    `the registry ${ref.host} answered ${response.status} when asked for ${image}`,
  );
}

async function bearerToken(
  challenge: string,
  ref: ImageReference,
  options: { credential: CodeflowCredential | null; signal?: AbortSignal },
): Promise<string | null> {
  if (!/^Bearer /i.test(challenge)) return null;
  const params = Object.fromEntries(
    [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map(m => [m[1], m[2]]),
  );
  if (!params.realm) return null;
  const url = new URL(params.realm);
  if (params.service) url.searchParams.set('service', params.service);
  url.searchParams.set(
    'scope',
    params.scope ?? `repository:${ref.repository}:pull`,
  );
  const authorization = basic(options.credential);
  const response = await fetch(url, {
    headers: authorization ? { Authorization: authorization } : {},
    signal: options.signal,
  });
  if (!response.ok) return null;
  const body = (await response.json()) as {
    token?: string;
    access_token?: string;
  };
  return body.token ?? body.access_token ?? null;
}

/** The content of a containers-auth.json for buildah's `--authfile` (written 0600, never argv). */
export function authFileContent(
  entries: Array<{ host: string; credential: CodeflowCredential }>,
): string {
  const auths: Record<string, { auth: string }> = {};
  for (const { host, credential } of entries) {
    if (!credential.username || credential.password === undefined) continue;
    auths[host] = {
      auth: Buffer.from(
        `${credential.username}:${credential.password}`,
      ).toString('base64'),
    };
  }
  return `${JSON.stringify({ auths }, null, 2)}\n`;
}
