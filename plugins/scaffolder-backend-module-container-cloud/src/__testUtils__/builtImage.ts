import { mockCredentials } from '@backstage/backend-test-utils';
import type { LocalCloudClusterName } from '@internal/local-cloud';
import type { LocalCloudTestContext } from '@internal/local-cloud/testing';
import { AppsV1Api } from '@kubernetes/client-node';
import request from 'supertest';

type Server = Parameters<typeof request>[0];

/**
 * The whole log of a golden path's first codeflow run, read through the codeflow API as `user`:
 * the service has one codeflow, and it has run once.
 */
export async function firstRunLog(
  server: Server,
  name: string,
  user: string,
): Promise<string> {
  const auth = mockCredentials.user.header(user);
  const codeflows = await request(server)
    .get(`/api/codeflow/services/default/${name}/codeflows`)
    .set('Authorization', auth);
  expect(codeflows.body.items).toHaveLength(1);
  const runsPath = `/api/codeflow/services/default/${name}/codeflows/${codeflows.body.items[0].id}/runs`;
  const runs = await request(server).get(runsPath).set('Authorization', auth);
  expect(runs.body.items).toHaveLength(1);
  const log = await request(server)
    .get(`${runsPath}/${runs.body.items[0].id}/log`)
    .set('Authorization', auth);
  expect(log.status).toBe(200);
  return log.text;
}

/**
 * The one image the Deployment `name` runs in every cluster, `<registry>/codeflow/<name>:<tag>@<digest>`,
 * split into its registry host, repository and digest.
 */
export async function deployedImage(
  lc: LocalCloudTestContext,
  clusters: LocalCloudClusterName[],
  name: string,
): Promise<{
  image: string;
  host: string;
  repository: string;
  digest: string;
}> {
  const images = new Set<string>();
  for (const cluster of clusters) {
    const deployment = await lc
      .kubeConfig(cluster)
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name, namespace: lc.namespace });
    images.add(deployment.spec!.template.spec!.containers[0].image!);
  }
  expect(images.size).toBe(1);
  const [image] = [...images];
  const match = /^([^/]+)\/(.+):[^:@]+@(sha256:[0-9a-f]{64})$/.exec(image);
  expect(match).not.toBeNull();
  const [, host, repository, digest] = match!;
  expect(repository).toBe(`codeflow/${name}`);
  return { image, host, repository, digest };
}

async function manifestOf(host: string, repository: string, reference: string) {
  const res = await fetch(
    `http://${host}/v2/${repository}/manifests/${reference}`,
    {
      headers: {
        Accept: [
          'application/vnd.oci.image.manifest.v1+json',
          'application/vnd.docker.distribution.manifest.v2+json',
        ].join(', '),
      },
    },
  );
  expect(res.status).toBe(200);
  return res.json();
}

/**
 * The built image's configuration, after checking it was made on `base` (a repository and tag of
 * the same registry): its layers start with all of the base image's.
 */
export async function builtImageConfig(
  built: { host: string; repository: string; digest: string },
  base: { repository: string; tag: string },
): Promise<{
  config: { Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string };
}> {
  const { host, repository, digest } = built;
  const manifest = await manifestOf(host, repository, digest);
  const baseManifest = await manifestOf(host, base.repository, base.tag);
  const digests = (layers: Array<{ digest: string }>) =>
    layers.map(l => l.digest);
  expect(manifest.layers.length).toBeGreaterThan(baseManifest.layers.length);
  expect(digests(manifest.layers).slice(0, baseManifest.layers.length)).toEqual(
    digests(baseManifest.layers),
  );
  return (
    await fetch(
      `http://${host}/v2/${repository}/blobs/${manifest.config.digest}`,
    )
  ).json();
}
