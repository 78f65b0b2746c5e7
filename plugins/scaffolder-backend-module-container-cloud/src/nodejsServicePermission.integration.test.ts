import { useLocalCloud } from '@internal/local-cloud/testing';
import { useGoldenPathBackend } from './__testUtils__/goldenPath';
import { BOB, GUEST } from './__testUtils__/startSuiteBackend';

jest.setTimeout(900_000);

// "New Node.js service" run through the scaffolder's task API by bob (team-orders), who may not
// create this service: for team-payments, whose member he is not, and for his own team in
// clusters and namespaces outside its deploy targets. The template's first step
// (container-cloud:service:check-new, acting as bob) asks the services backend before anything is
// made: the task fails there in the backend's words, and nothing is created — no repository on
// the local git server, no catalog entity or location, no Deployment, no codeflow.
const lc = useLocalCloud({ namespacePrefix: 'scaffold-refused' });
const NAME = `h10-refused-${Date.now().toString(36)}`;

describe('the "New Node.js service" template run by someone without the authority', () => {
  const golden = useGoldenPathBackend(lc, {
    folder: 'nodejs-service',
    name: NAME,
    description: 'A Node.js service',
    initialImage: 'registry.example.com/mirror/node:22-slim',
    // team-orders may run services somewhere, only not in this test's namespace
    teamPlacements: namespace => ({
      'group:default/team-orders': [`local-a/${namespace}-orders`],
    }),
  });

  async function expectNothingCreated() {
    const found = await golden.whatExists(GUEST);
    expect(found).toMatchObject({
      repositories: 0,
      entities: 0,
      locations: 0,
      codeflows: 0,
      runs: [],
    });
    for (const cluster of golden.clusters) {
      expect(found.deployments[cluster]).toEqual([]);
    }
    // and the repository is not there under its own address either
    const repo = await fetch(`${golden.git.url}/api/repos/${NAME}`, {
      headers: { authorization: golden.gitAuth },
    });
    expect(repo.status).toBe(404);
  }

  function expectStoppedAtTheFirstStep(run: {
    task: { status: string };
    stepStatus: Record<string, string>;
  }) {
    expect(run.task.status).toBe('failed');
    expect(run.stepStatus.check).toBe('failed');
    // nothing after it ran (the scaffolder marks them skipped)
    for (const later of [
      'fetch',
      'publish',
      'register',
      'catalog',
      'service',
      'codeflow',
      'run',
      'domain',
    ]) {
      expect(run.stepStatus[later]).toBe('skipped');
    }
  }

  it('bob (team-orders) choosing team-payments: the first step fails with a permission error in words, nothing is created', async () => {
    const run = await golden.runTask(BOB, {
      // a domain is asked for: the domain step would run if the task got that far
      serverName: `${NAME}.test.example.com`,
    });
    expectStoppedAtTheFirstStep(run);
    expect(run.error?.name).toBe('NotAllowedError');
    expect(run.error?.message).toContain('group:default/team-payments');
    await expectNothingCreated();
  });

  it('bob for his own team, in placements outside its deploy targets: the first step fails in words, nothing is created', async () => {
    const run = await golden.runTask(BOB, {
      owner: 'group:default/team-orders',
    });
    expectStoppedAtTheFirstStep(run);
    expect(run.error?.name).toBe('NotAllowedError');
    // the placement refused is named
    expect(run.error?.message).toContain(lc.namespace);
    await expectNothingCreated();
  });
});
