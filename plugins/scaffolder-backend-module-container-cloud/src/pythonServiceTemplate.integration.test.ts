import { mockCredentials } from '@backstage/backend-test-utils';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { AppsV1Api } from '@kubernetes/client-node';
import request from 'supertest';
import { useGoldenPathBackend } from './__testUtils__/goldenPath';
import { GUEST } from './__testUtils__/startSuiteBackend';

jest.setTimeout(900_000);

// "New Python service" through the scaffolder's own task API as the guest, on the local cloud: the
// repository on the local git server, the entity in the catalog, the Deployments in both clusters,
// the codeflow and its first build — a real build in codeflow/python:3.11 (unittest, build.py) —
// rolled out: the Deployments run the built image, made on the Python build image.
const lc = useLocalCloud({ namespacePrefix: 'scaffold-python' });
const NAME = `h11-python-${Date.now().toString(36)}`;

describe('the "New Python service" template through the scaffolder', () => {
  const golden = useGoldenPathBackend(lc, {
    folder: 'python-service',
    name: NAME,
    description: 'A Python service',
    initialImage: 'registry.example.com/mirror/python:3.11-slim',
  });
  it('creates a running service built in codeflow/python:3.11', async () => {
    const { task, log } = await golden.runTask(GUEST);
    if (task.status !== 'completed') throw new Error(log);
    expect(log).toContain(`created repository ${NAME}`);
    expect(log).toMatch(/run #1: succeeded/);
    const entity = await request(golden.suite.backend.server)
      .get(`/api/catalog/entities/by-name/component/default/${NAME}`)
      .set('Authorization', mockCredentials.user.header(GUEST));
    expect(entity.status).toBe(200);
    expect(entity.body.metadata.tags).toEqual(['python']);

    // the build ran the skeleton's tests in the build image: its log says so
    const auth = mockCredentials.user.header(GUEST);
    const codeflows = await request(golden.suite.backend.server)
      .get(`/api/codeflow/services/default/${NAME}/codeflows`)
      .set('Authorization', auth);
    expect(codeflows.body.items).toHaveLength(1);
    const runsPath = `/api/codeflow/services/default/${NAME}/codeflows/${codeflows.body.items[0].id}/runs`;
    const runs = await request(golden.suite.backend.server)
      .get(runsPath)
      .set('Authorization', auth);
    expect(runs.body.items).toHaveLength(1);
    const runLog = await request(golden.suite.backend.server)
      .get(`${runsPath}/${runs.body.items[0].id}/log`)
      .set('Authorization', auth);
    expect(runLog.status).toBe(200);
    expect(runLog.text).toContain('test_healthz_answers_200_while_running');
    // the skeleton's six tests (health, shutdown, root, 404, and the two of the middleware it reports)
    expect(runLog.text).toMatch(/Ran 6 tests/);
    expect(runLog.text).toContain('"msg": "built"');

    const images = new Set<string>();
    for (const cluster of golden.clusters) {
      const deployment = await lc
        .kubeConfig(cluster)
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ name: NAME, namespace: lc.namespace });
      images.add(deployment.spec!.template.spec!.containers[0].image!);
    }
    // one image in both clusters: <registry>/codeflow/<name>:<tag>@<digest>
    expect(images.size).toBe(1);
    const [image] = [...images];
    const match = /^([^/]+)\/(.+):[^:@]+@(sha256:[0-9a-f]{64})$/.exec(image);
    expect(match).not.toBeNull();
    const [, host, repository, digest] = match!;
    expect(repository).toBe(`codeflow/${NAME}`);

    // the built image: the Python build image's layers first, started as the template says
    const manifestOf = async (repo: string, reference: string) => {
      const res = await fetch(
        `http://${host}/v2/${repo}/manifests/${reference}`,
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
    };
    const built = await manifestOf(repository, digest);
    // the build image python-3.11 of the generated config: <registry>/codeflow/python:3.11
    const base = await manifestOf('codeflow/python', '3.11');
    expect(built.layers.length).toBeGreaterThan(base.layers.length);
    expect(
      built.layers
        .slice(0, base.layers.length)
        .map((l: { digest: string }) => l.digest),
    ).toEqual(base.layers.map((l: { digest: string }) => l.digest));
    const config = await (
      await fetch(
        `http://${host}/v2/${repository}/blobs/${built.config.digest}`,
      )
    ).json();
    expect([
      ...(config.config.Entrypoint ?? []),
      ...(config.config.Cmd ?? []),
    ]).toEqual(['python3', 'app.py']);
    expect(config.config.WorkingDir).toBe('/app');
  });
});
