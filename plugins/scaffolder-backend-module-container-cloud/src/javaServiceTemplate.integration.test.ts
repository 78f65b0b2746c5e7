import { mockCredentials } from '@backstage/backend-test-utils';
import { useLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import {
  requireJavaBuildImage,
  runBuiltJavaImage,
} from './__testUtils__/javaService';
import {
  builtImageConfig,
  deployedImage,
  firstRunLog,
} from './__testUtils__/builtImage';
import { useGoldenPathBackend } from './__testUtils__/goldenPath';
import { GUEST } from './__testUtils__/startSuiteBackend';

jest.setTimeout(1_200_000);

// "New Java (Spring Boot) service" through the scaffolder's own task API as the guest, on the
// local cloud: the repository on the local git server, the entity in the catalog, the Deployments
// in both clusters, the codeflow and its first build — a real offline Maven build in
// codeflow/java:17 (the skeleton's Spring Boot test, then the jar) — rolled out: the Deployments
// run the built image, made on the Java build image.
const lc = useLocalCloud({ namespacePrefix: 'scaffold-java' });
const NAME = `h17-java-${Date.now().toString(36)}`;

describe('the "New Java (Spring Boot) service" template through the scaffolder', () => {
  let buildImage: { image: string; runtimeImage: string };
  beforeAll(async () => {
    // the Java build image is the local cloud's: a missing one fails here, in words
    buildImage = await requireJavaBuildImage();
  });

  const golden = useGoldenPathBackend(lc, {
    folder: 'java-service',
    name: NAME,
    description: 'A Java service',
    initialImage: 'registry.example.com/mirror/eclipse-temurin:17-jre',
  });

  it('creates a running service built offline in codeflow/java:17', async () => {
    const { task, log } = await golden.runTask(GUEST);
    if (task.status !== 'completed') throw new Error(log);
    expect(log).toContain(`created repository ${NAME}`);
    expect(log).toMatch(/run #1: succeeded/);
    const auth = mockCredentials.user.header(GUEST);
    const entity = await request(golden.suite.backend.server)
      .get(`/api/catalog/entities/by-name/component/default/${NAME}`)
      .set('Authorization', auth);
    expect(entity.status).toBe(200);
    expect(entity.body.metadata.tags).toEqual(['java']);

    // the build ran the skeleton's Spring Boot test offline in the build image: its log says so
    const runLog = await firstRunLog(golden.suite.backend.server, NAME, GUEST);
    expect(runLog).toContain('$ mvn -B -o -ntp package');
    expect(runLog).toMatch(
      /Tests run: 2, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: [\d.]+ s -- in com\.example\.service\.ApplicationTest/,
    );
    expect(runLog).toContain('BUILD SUCCESS');
    expect(runLog).not.toContain('in offline mode');

    // one image in both clusters, made on the Java runtime image (the JRE, not the build image's
    // JDK, Maven and repository), then the jar, started as the template says
    const built = await deployedImage(lc, golden.clusters, NAME);
    // java-17 of the generated config: built in <registry>/codeflow/java:17, run on :17-jre
    expect(buildImage).toEqual({
      image: `${built.host}/codeflow/java:17`,
      runtimeImage: `${built.host}/codeflow/java:17-jre`,
    });
    const config = await builtImageConfig(built, {
      repository: 'codeflow/java',
      tag: '17-jre',
    });
    expect([
      ...(config.config.Entrypoint ?? []),
      ...(config.config.Cmd ?? []),
    ]).toEqual(['java', '-XX:MaxRAMPercentage=75', '-jar', '/app/app.jar']);
    expect(config.config.WorkingDir).toBe('/app');

    // kwok runs no container: the built image itself, pulled back and started as its entrypoint
    // says, as its user, serves /healthz and exits 0 on SIGTERM
    const ran = await runBuiltJavaImage(built.image);
    expect(ran.files).toEqual(['app.jar']);
    expect(ran.user).not.toBe('0');
    expect(ran.healthz).toBe('{"status":"ok"}');
    expect(ran.exitCode).toBe(0);
    expect(ran.log).toMatch(/Graceful shutdown complete/);
  });
});
