import { mockCredentials } from '@backstage/backend-test-utils';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { AppsV1Api } from '@kubernetes/client-node';
import request from 'supertest';
import { useGoldenPathBackend } from './__testUtils__/goldenPath';
import { GUEST } from './__testUtils__/startSuiteBackend';

jest.setTimeout(900_000);

// "New Node.js service" through the scaffolder's own task API as the guest, on the local cloud:
// the repository on the local git server, the entity in the catalog (read through the module's
// URL reader), the Deployments in both clusters, the codeflow and its first build rolled out; a
// second task with the same values duplicates nothing.
const lc = useLocalCloud({ namespacePrefix: 'scaffold-golden' });
const NAME = `h8-golden-${Date.now().toString(36)}`;

describe('the "New Node.js service" template through the scaffolder', () => {
  const golden = useGoldenPathBackend(lc, {
    folder: 'nodejs-service',
    name: NAME,
    description: 'A Node.js service',
    initialImage: 'registry.example.com/mirror/node:22-slim',
  });
  it('creates a running, built service; a second run duplicates nothing and says why it stops', async () => {
    const first = await golden.runTask(GUEST);
    if (first.task.status !== 'completed') throw new Error(first.log);
    expect(first.log).toContain(`created repository ${NAME}`);
    expect(first.log).toMatch(/run #1: succeeded/);
    const entity = await request(golden.suite.backend.server)
      .get(`/api/catalog/entities/by-name/component/default/${NAME}`)
      .set('Authorization', mockCredentials.user.header(GUEST));
    expect(entity.status).toBe(200);
    for (const cluster of golden.clusters) {
      const deployment = await lc
        .kubeConfig(cluster)
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ name: NAME, namespace: lc.namespace });
      expect(deployment.spec?.template.spec?.containers[0].image).toContain(
        `/${NAME}`,
      );
    }

    // the same values again: the repository and the location are found, and the step that would
    // change a service the codeflow has rolled since stops with a clear message; nothing doubles
    const second = await golden.runTask(GUEST);
    expect(second.task.status).toBe('failed');
    expect(second.log).toContain('nothing pushed');
    expect(second.log).toContain(`${NAME} is in the catalog`);
    expect(second.log).toMatch(
      /exists with another spec \(image: .*≠ registry\.example\.com\/mirror\/node:22-slim\); nothing was changed/,
    );
    const codeflows = await request(golden.suite.backend.server)
      .get(`/api/codeflow/services/default/${NAME}/codeflows`)
      .set('Authorization', mockCredentials.user.header(GUEST));
    expect(codeflows.body.items).toHaveLength(1);
    const runs = await request(golden.suite.backend.server)
      .get(
        `/api/codeflow/services/default/${NAME}/codeflows/${codeflows.body.items[0].id}/runs`,
      )
      .set('Authorization', mockCredentials.user.header(GUEST));
    expect(runs.body.items).toHaveLength(1);
  });
});
