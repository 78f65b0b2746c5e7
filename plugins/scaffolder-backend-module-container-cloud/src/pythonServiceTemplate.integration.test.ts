import { mockCredentials } from '@backstage/backend-test-utils';
import { useLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import {
  builtImageConfig,
  deployedImage,
  firstRunLog,
} from './__testUtils__/builtImage';
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
    const runLog = await firstRunLog(golden.suite.backend.server, NAME, GUEST);
    expect(runLog).toContain('test_healthz_answers_200_while_running');
    // the skeleton's six tests (health, shutdown, root, 404, and the two of the middleware it reports)
    expect(runLog).toMatch(/Ran 6 tests/);
    expect(runLog).toContain('"msg": "built"');

    // one image in both clusters, made on the Python build image (python-3.11 of the generated
    // config: <registry>/codeflow/python:3.11), started as the template says
    const built = await deployedImage(lc, golden.clusters, NAME);
    const config = await builtImageConfig(built, {
      repository: 'codeflow/python',
      tag: '3.11',
    });
    expect([
      ...(config.config.Entrypoint ?? []),
      ...(config.config.Cmd ?? []),
    ]).toEqual(['python3', 'app.py']);
    expect(config.config.WorkingDir).toBe('/app');
  });
});
