import { mockCredentials } from '@backstage/backend-test-utils';
import type { LocalCloudClusterName } from '@internal/local-cloud';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { AppsV1Api } from '@kubernetes/client-node';
import { useGoldenPathBackend } from './__testUtils__/goldenPath';
import { BOB, GUEST } from './__testUtils__/startSuiteBackend';

jest.setTimeout(900_000);

// "New Node.js service" run through the scaffolder's task API by bob (team-orders) for
// team-payments: bob may not create services for a team he is not in. The template's first
// steps (render, publish to the local git server, catalog:register) are not permission-checked
// by the suite; container-cloud:service:create is, acting as bob: the task fails there with the
// services backend's words, and no Deployment, codeflow, build or domain is made.
const lc = useLocalCloud({ namespacePrefix: 'scaffold-refused' });
const NAME = `h10-refused-${Date.now().toString(36)}`;

describe('the "New Node.js service" template for a team the user is not in', () => {
  const golden = useGoldenPathBackend(lc, {
    folder: 'nodejs-service',
    name: NAME,
    description: 'A Node.js service',
    initialImage: 'registry.example.com/mirror/node:22-slim',
  });
  async function deploymentIn(cluster: LocalCloudClusterName) {
    try {
      return await lc
        .kubeConfig(cluster)
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ name: NAME, namespace: lc.namespace });
    } catch (e: any) {
      if (e?.code === 404) return undefined;
      throw e;
    }
  }

  it('bob (team-orders) choosing team-payments: the service step fails in words, nothing runs in the clusters', async () => {
    const { task, stepStatus, log } = await golden.runTask(BOB, {
      // a domain is asked for: the domain step would run if the task got that far
      serverName: `${NAME}.test.example.com`,
    });
    expect(task.status).toBe('failed');
    // the refusal is the services backend's, in words, on the service step
    expect(stepStatus.service).toBe('failed');
    expect(log).toContain('only its owners and ops admins may');
    // nothing after it ran (the scaffolder marks them skipped): no codeflow, no build, no domain
    for (const later of ['codeflow', 'run', 'domain']) {
      expect(stepStatus[later]).toBe('skipped');
    }
    for (const cluster of golden.clusters) {
      expect(await deploymentIn(cluster)).toBeUndefined();
    }
    // looked at as the guest (an owner of the new component): no codeflow for it
    const codeflows = await golden
      .api()
      .get(`/api/codeflow/services/default/${NAME}/codeflows`)
      .set('Authorization', mockCredentials.user.header(GUEST));
    expect(codeflows.status).toBe(200);
    expect(codeflows.body.items).toEqual([]);

    // What did run before the refusal: the publish and register steps are not checked against
    // the suite's permissions (publishing uses the portal's git credential; catalog:register
    // only needs catalog access). So the repository exists and its entity is in the catalog —
    // owned by team-payments, whose members can build it or delete it; bob cannot deploy it.
    expect(stepStatus.publish).toBe('completed');
    expect(stepStatus.register).toBe('completed');
    expect(stepStatus.catalog).toBe('completed');
    const repo = await fetch(`${golden.git.url}/api/repos/${NAME}`, {
      headers: { authorization: golden.gitAuth },
    });
    expect(repo.status).toBe(200);
  });
});
