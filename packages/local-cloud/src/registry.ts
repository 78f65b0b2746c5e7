import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { LocalCloudError } from './errors';

/** The host the example images name; the local registry stands in for it. */
export const EXAMPLE_REGISTRY_HOST = 'registry.example.com';
/** Tags every example image gets, oldest first; 1.0.0 is what the seeded Deployments run. */
export const EXAMPLE_TAGS = ['1.0.0', '1.1.0', '1.2.0', '2.0.0'];

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function digestOf(data: Buffer): string {
  return `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;
}

async function expectOk(response: Response, what: string) {
  if (!response.ok) {
    throw new LocalCloudError(
      `the local registry refused ${what}: ${
        response.status
      } ${await response.text()}`,
    );
  }
}

/** Uploads one blob (monolithic upload) unless the registry has it. */
async function pushBlob(url: string, repo: string, data: Buffer) {
  const digest = digestOf(data);
  const head = await fetch(`${url}/v2/${repo}/blobs/${digest}`, {
    method: 'HEAD',
  });
  if (head.ok) return digest;
  const start = await fetch(`${url}/v2/${repo}/blobs/uploads/`, {
    method: 'POST',
  });
  await expectOk(start, `starting an upload to ${repo}`);
  const location = new URL(start.headers.get('location')!, url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: data,
  });
  await expectOk(put, `a blob for ${repo}`);
  return digest;
}

/**
 * Pushes a small but valid OCI image for `repo:tag` (an empty layer and a config naming the
 * version), so the registry's tag list is real: the portal's upgrade dialog reads it.
 *
 * @public
 */
export async function pushExampleImage(url: string, repo: string, tag: string) {
  // an empty tar archive (two zero blocks), gzipped
  const layer = zlib.gzipSync(Buffer.alloc(1024));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: { 'org.opencontainers.image.version': tag } },
      rootfs: {
        type: 'layers',
        diff_ids: [digestOf(Buffer.alloc(1024))],
      },
    }),
  );
  const layerDigest = await pushBlob(url, repo, layer);
  const configDigest = await pushBlob(url, repo, config);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: configDigest,
      size: config.length,
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: layerDigest,
        size: layer.length,
      },
    ],
  };
  const put = await fetch(`${url}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'Content-Type': OCI_MANIFEST },
    body: JSON.stringify(manifest),
  });
  await expectOk(put, `the manifest of ${repo}:${tag}`);
}

/** Every example image repository gets EXAMPLE_TAGS. */
export async function seedRegistry(
  url: string,
  repos: string[],
  progress: (line: string) => void,
) {
  for (const repo of repos) {
    for (const tag of EXAMPLE_TAGS) await pushExampleImage(url, repo, tag);
  }
  progress(
    `  registry: ${repos.length} repositories with tags ${EXAMPLE_TAGS.join(
      ', ',
    )} at ${url} (stands for ${EXAMPLE_REGISTRY_HOST})`,
  );
}
