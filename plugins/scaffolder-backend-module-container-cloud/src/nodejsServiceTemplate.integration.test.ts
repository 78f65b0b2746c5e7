import { useLocalCloud } from '@internal/local-cloud/testing';
import { useGoldenPathBackend } from './__testUtils__/goldenPath';
import { GUEST } from './__testUtils__/startSuiteBackend';

jest.setTimeout(900_000);

// "New Node.js service" through the scaffolder's own task API as the guest, on the local cloud:
// the repository on the local git server, the entity in the catalog (read through the module's
// URL reader), the Deployments in both clusters, the codeflow and its first build rolled out. A
// second task with the same values finds all of it, says so and completes, duplicating nothing;
// one with another spec stops at the service step with a 409 in words and changes nothing.
const lc = useLocalCloud({ namespacePrefix: 'scaffold-golden' });
const NAME = `h8-golden-${Date.now().toString(36)}`;

describe('the "New Node.js service" template through the scaffolder', () => {
  const golden = useGoldenPathBackend(lc, {
    folder: 'nodejs-service',
    name: NAME,
    description: 'A Node.js service',
    initialImage: 'registry.example.com/mirror/node:22-slim',
  });

  it('creates a running, built service; a re-run finds it and completes; another spec is refused in words', async () => {
    const first = await golden.runTask(GUEST);
    if (first.task.status !== 'completed') throw new Error(first.log);
    // the first step found nothing and said what would be made
    for (const cluster of golden.clusters) {
      expect(first.stepLog('check')).toContain(
        `${cluster}/${lc.namespace}: would create deployment ${NAME}`,
      );
    }
    expect(first.log).toContain(`created repository ${NAME}`);
    expect(first.log).toMatch(/run #1: succeeded/);
    const made = await golden.whatExists(GUEST);
    expect(made).toMatchObject({
      repositories: 1,
      entities: 1,
      locations: 1,
      codeflows: 1,
      runs: [1],
    });
    for (const cluster of golden.clusters) {
      // one Deployment, running the image the codeflow built
      expect(made.deployments[cluster]).toHaveLength(1);
      expect(made.deployments[cluster][0].image).toContain(`/${NAME}`);
    }

    // the same values again: every step finds what the first run made and goes on
    const second = await golden.runTask(GUEST);
    if (second.task.status !== 'completed') throw new Error(second.log);
    expect(second.stepLog('check')).toContain(
      `component:default/${NAME}: exists: made by an earlier run`,
    );
    for (const cluster of golden.clusters) {
      expect(second.stepLog('check')).toContain(
        `${cluster}/${lc.namespace}: deployment ${NAME} exists: made by an earlier run`,
      );
      expect(second.stepLog('service')).toContain(
        `${cluster}/${lc.namespace}: deployment ${NAME} unchanged`,
      );
    }
    expect(second.stepLog('publish')).toContain('nothing pushed');
    expect(second.stepLog('catalog')).toContain(
      `component:default/${NAME} is in the catalog`,
    );
    expect(second.stepLog('codeflow')).toContain('is already there, unchanged');
    // the run step reused the first build: idempotent by commit
    expect(second.stepLog('run')).toMatch(
      /run #1 already built \w+ and rolled it out .*: nothing built again/,
    );
    const again = await golden.whatExists(GUEST);
    expect(again).toEqual(made);

    // another spec (two replicas per cluster): the service step refuses with a 409 in words and
    // nothing changes (the Deployments keep their generation: no write)
    const other = await golden.runTask(GUEST, { replicas: 2 });
    expect(other.task.status).toBe('failed');
    expect(other.stepStatus.check).toBe('completed');
    expect(other.stepStatus.service).toBe('failed');
    expect(other.log).toMatch(
      /deployment .* exists with another spec \(replicas: 1 ≠ 2; image: .*, made by a create request with other values; nothing was changed/,
    );
    for (const later of ['codeflow', 'run']) {
      expect(other.stepStatus[later]).toBe('skipped');
    }
    expect(await golden.whatExists(GUEST)).toEqual(made);
  });
});
