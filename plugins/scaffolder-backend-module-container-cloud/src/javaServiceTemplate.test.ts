import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import yaml from 'js-yaml';
import {
  describeGoldenPathTemplate,
  freePort,
  goldenPathTemplate,
  renderSkeleton,
  run,
} from './__testUtils__/goldenPath';
import { describeGoldenPathMiddleware } from './__testUtils__/goldenPathMiddleware';
import {
  javaEnv,
  onTheMachine,
  requireJavaToolchain,
} from './__testUtils__/javaService';
import { startedApp } from './__testUtils__/startedApp';

// Maven's first run on a machine downloads the skeleton's dependencies; the Spring Boot test
// starts the app
jest.setTimeout(600_000);

const t = goldenPathTemplate('java-service', 'hello-java');

describeGoldenPathTemplate(t, {
  title: 'the "New Java (Spring Boot) service" template',
  invalidName: 'Hello_Java',
  codeflowTitle:
    'the codeflow is a valid definition (java-17, an offline mvn package, the jar alone, java -jar /app/app.jar)',
  codeflow: {
    buildImage: 'java-17',
    buildScript: [['mvn', '-B', '-o', '-ntp', 'package']],
    artifactPath: 'target/app.jar',
    deployPath: '/app',
    startCommand: ['java', '-XX:MaxRAMPercentage=75', '-jar', '/app/app.jar'],
    port: 8080,
    targets: [
      {
        service: 'component:default/hello-java',
        environment: 'test',
        placements: t.form.placements,
      },
    ],
  },
});

describeGoldenPathMiddleware(t);

describe('the Java template’s Deployment', () => {
  it('gives the JVM time to start before the liveness probe may restart it, and room for its heap', () => {
    const input = t.render(t.step('service').input) as any;
    expect(input.livenessProbe.initialDelaySeconds).toBeGreaterThanOrEqual(30);
    expect(input.readinessProbe.periodSeconds).toBeLessThanOrEqual(
      input.livenessProbe.periodSeconds,
    );
    expect(input.resources.limits.memory).toMatch(/^\d+Mi$/);
    expect(parseInt(input.resources.limits.memory, 10)).toBeGreaterThanOrEqual(
      512,
    );
  });
});

describe('the skeleton, rendered by fetch:template with the template’s values', () => {
  const { dir, out } = renderSkeleton(t);
  let toolchain: ReturnType<typeof requireJavaToolchain>;
  beforeAll(() => {
    toolchain = requireJavaToolchain();
  });

  it('has a catalog-info.yaml with owner, system, lifecycle, the kubernetes id and the placements', () => {
    const entity = yaml.load(
      readFileSync(join(out, 'catalog-info.yaml'), 'utf8'),
    ) as any;
    expect(entity).toMatchObject({
      kind: 'Component',
      metadata: {
        name: 'hello-java',
        description: 'A Java service',
        annotations: {
          'backstage.io/kubernetes-id': 'hello-java',
          'container-cloud.io/placements': 'local-a/hello, local-b/hello',
        },
        tags: ['java'],
      },
      spec: {
        type: 'service',
        lifecycle: 'experimental',
        owner: t.form.owner,
        system: t.form.system,
      },
    });
  });

  it('is a Spring Boot 3.5.7 Maven project for Java 17 with the form’s name and port, web and test starters only, the jar named app.jar', () => {
    const pom = readFileSync(join(out, 'pom.xml'), 'utf8');
    expect(pom).toMatch(
      /<artifactId>spring-boot-starter-parent<\/artifactId>\s*<version>3\.5\.7<\/version>/,
    );
    expect(pom).toContain('<java.version>17</java.version>');
    expect(pom).toContain('<artifactId>hello-java</artifactId>');
    expect(pom).toContain('<finalName>app</finalName>');
    const dependencies = [
      ...pom.matchAll(
        /<dependency>\s*<groupId>([^<]+)<\/groupId>\s*<artifactId>([^<]+)<\/artifactId>/g,
      ),
    ].map(m => `${m[1]}:${m[2]}`);
    expect(dependencies).toEqual([
      'org.springframework.boot:spring-boot-starter-web',
      'org.springframework.boot:spring-boot-starter-test',
    ]);
    const properties = readFileSync(
      join(out, 'src/main/resources/application.properties'),
      'utf8',
    );
    expect(properties).toContain('spring.application.name=hello-java');
    expect(properties).toContain('server.port=${PORT:8080}');
    expect(properties).toContain('server.shutdown=graceful');
    expect(properties).toMatch(
      /^spring\.lifecycle\.timeout-per-shutdown-phase=20s$/m,
    );
    for (const file of [
      'pom.xml',
      'README.md',
      'src/main/resources/application.properties',
      'src/test/java/com/example/service/ApplicationTest.java',
    ]) {
      expect(readFileSync(join(out, file), 'utf8')).not.toMatch(/\$\{\{|\{%/);
    }
  });

  it('the codeflow’s build script passes with the machine’s Maven and JDK: the app’s 2 tests and the middleware’s 2, then target/app.jar', async () => {
    const definition = t.codeflowDefinition();
    const outputs: string[] = [];
    const { java, maven } = toolchain;
    for (const argv of definition.buildScript as string[][]) {
      const [program, ...args] = onTheMachine(argv);
      const result = await run(program, args, {
        cwd: out,
        env: javaEnv(),
        maxBuffer: 64 * 1024 * 1024,
      }).catch(error => {
        throw new Error(
          `${program} ${args.join(' ')} failed (${java}, ${maven}): ${
            error.stdout
          }\n${error.stderr}`,
        );
      });
      outputs.push(result.stdout);
    }
    expect(outputs[0]).toMatch(
      /Tests run: 2, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: [\d.]+ s -- in com\.example\.service\.ApplicationTest/,
    );
    expect(outputs[0]).toMatch(
      /Tests run: 2, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: [\d.]+ s -- in com\.example\.service\.MiddlewareTest/,
    );
    expect(outputs[0]).toMatch(
      /^\[INFO\] Tests run: 4, Failures: 0, Errors: 0, Skipped: 0$/m,
    );
    expect(outputs[0]).toContain('BUILD SUCCESS');
    expect(existsSync(join(out, definition.artifactPath))).toBe(true);
  });

  it('runs as the image runs it: the jar as /app/app.jar, the codeflow’s start command, PORT, an attached Redis’s variables, /healthz with the middleware (no password), one JSON log line per request, SIGTERM → exit 0 within the shutdown bound', async () => {
    const definition = t.codeflowDefinition();
    // the build, if the test before did not run
    if (!existsSync(join(out, definition.artifactPath))) {
      const [program, ...args] = onTheMachine([
        'mvn',
        '-B',
        '-o',
        '-q',
        'package',
      ]);
      await run(program, [...args, '-DskipTests'], {
        cwd: out,
        env: javaEnv(),
        maxBuffer: 64 * 1024 * 1024,
      });
    }
    // what the generated Dockerfile does: COPY target/app.jar → deployPath/, WORKDIR deployPath,
    // ENTRYPOINT startCommand (its /app/… path mapped into the scratch folder)
    const app = join(dir, 'image', 'app');
    mkdirSync(app, { recursive: true });
    cpSync(
      join(out, definition.artifactPath),
      join(app, basename(definition.artifactPath)),
    );
    const port = await freePort();
    const [program, ...args] = (definition.startCommand as string[]).map(a =>
      a.startsWith(`${definition.deployPath}/`)
        ? join(app, a.slice(definition.deployPath.length + 1))
        : a,
    );
    const child = spawn(program, args, {
      cwd: app,
      // what the app store's attach sets for a Redis (the password from the instance's Secret)
      env: javaEnv({
        PORT: String(port),
        REDIS_HOST: 'hello-java-redis.hello.svc',
        REDIS_PORT: '6379',
        REDIS_PASSWORD: 'not-to-be-logged',
      }),
    });
    const { health, exited, stdout, stderr } = await startedApp(
      child,
      port,
      250,
    );
    try {
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({
        status: 'ok',
        middleware: {
          redis: {
            host: 'hello-java-redis.hello.svc',
            port: 6379,
            passwordSet: true,
          },
        },
      });
      const root = await (await fetch(`http://127.0.0.1:${port}/`)).json();
      expect(root).toEqual({ service: 'hello-java', version: 'dev' });
    } finally {
      child.kill('SIGTERM');
    }
    // exit 0, not the JVM's 143 for a SIGTERM; the shutdown phase is bounded at 20 s, so a hang
    // shows as jest's timeout
    expect(await exited).toBe(0);
    expect(stderr()).toBe('');
    const lines = stdout()
      .trim()
      .split('\n')
      .map(line => {
        try {
          return JSON.parse(line);
        } catch {
          throw new Error(`a log line that is not JSON: ${line}`);
        }
      });
    const requests = lines.filter(l => l.message === 'request');
    expect(requests).toEqual([
      expect.objectContaining({
        level: 'INFO',
        method: 'GET',
        path: '/healthz',
        status: 200,
      }),
      expect.objectContaining({ method: 'GET', path: '/', status: 200 }),
    ]);
    expect(stdout()).not.toContain('not-to-be-logged');
    expect(lines.find(l => l.message === 'listening')).toMatchObject({
      port,
      middleware: {
        redis: {
          host: 'hello-java-redis.hello.svc',
          port: 6379,
          passwordSet: true,
        },
      },
    });
    const messages = lines.map(l => l.message as string);
    expect(messages).toContainEqual(
      expect.stringMatching(new RegExp(`^Tomcat started on port ${port} `)),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/^Commencing graceful shutdown/),
    );
    expect(messages[messages.length - 1]).toMatch(
      /^Graceful shutdown complete/,
    );
  });
});
