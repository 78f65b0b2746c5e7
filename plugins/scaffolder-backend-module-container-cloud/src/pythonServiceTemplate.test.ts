import { spawn } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import {
  describeGoldenPathTemplate,
  freePort,
  goldenPathTemplate,
  renderSkeleton,
  run,
} from './__testUtils__/goldenPath';
import { describeGoldenPathMiddleware } from './__testUtils__/goldenPathMiddleware';
import { startedApp } from './__testUtils__/startedApp';

jest.setTimeout(180_000);

const t = goldenPathTemplate('python-service', 'hello-python');

describeGoldenPathTemplate(t, {
  title: 'the "New Python service" template',
  invalidName: 'Hello_Python',
  codeflowTitle:
    'the codeflow is a valid definition (python-3.11, unittest then build.py, dist, python3 app.py)',
  codeflow: {
    buildImage: 'python-3.11',
    buildScript: [
      ['python3', '-m', 'unittest', '-v'],
      ['python3', 'build.py'],
    ],
    artifactPath: 'dist',
    deployPath: '/app',
    // run from the deploy path, which holds dist/'s contents
    startCommand: ['python3', 'app.py'],
    port: 8080,
    targets: [
      {
        service: 'component:default/hello-python',
        environment: 'test',
        placements: t.form.placements,
      },
    ],
  },
});

/**
 * The host's Python 3 (Debian's python3 is 3.11, the build image's too), with a clean
 * environment: not jest's. HOME and PYENV_ROOT pass so a pyenv shim on PATH still finds its python.
 */
function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PYTHONDONTWRITEBYTECODE: '1',
    ...extra,
  };
  for (const key of ['HOME', 'PYENV_ROOT']) {
    if (process.env[key]) env[key] = process.env[key];
  }
  return env;
}

describeGoldenPathMiddleware(t);

describe('the skeleton, rendered by fetch:template with the template’s values', () => {
  const { dir, out } = renderSkeleton(t);

  it('has a catalog-info.yaml with owner, system, lifecycle, the kubernetes id and the placements', () => {
    const entity = yaml.load(
      readFileSync(join(out, 'catalog-info.yaml'), 'utf8'),
    ) as any;
    expect(entity).toMatchObject({
      kind: 'Component',
      metadata: {
        name: 'hello-python',
        description: 'A Python service',
        annotations: {
          'backstage.io/kubernetes-id': 'hello-python',
          'container-cloud.io/placements': 'local-a/hello, local-b/hello',
        },
        tags: ['python'],
      },
      spec: {
        type: 'service',
        lifecycle: 'experimental',
        owner: t.form.owner,
        system: t.form.system,
      },
    });
  });

  it('the app has the form’s name and port, and imports only the standard library', () => {
    const source = readFileSync(join(out, 'app.py'), 'utf8');
    expect(source).toContain('SERVICE = "hello-python"');
    expect(source).toContain('DEFAULT_PORT = 8080');
    expect(source).not.toContain('${{');
    for (const file of ['app.py', 'test_app.py', 'build.py']) {
      const imports = [
        ...readFileSync(join(out, file), 'utf8').matchAll(
          /^(?:import|from) (\w+)/gm,
        ),
      ].map(m => m[1]);
      expect(imports.length).toBeGreaterThan(0);
      for (const name of imports) {
        expect([
          'app',
          'datetime',
          'http',
          'json',
          'os',
          'shutil',
          'signal',
          'sys',
          'threading',
          'time',
          'unittest',
          'urllib',
        ]).toContain(name);
      }
    }
  });

  it('the codeflow’s build script passes with the host’s python3: 6 unittests (2 of them the middleware report), then dist/ holds app.py', async () => {
    const definition = t.codeflowDefinition();
    const outputs: string[] = [];
    for (const [program, ...args] of definition.buildScript as string[][]) {
      const result = await run(program, args, {
        cwd: out,
        env: pythonEnv(),
      }).catch(error => {
        throw new Error(
          `${program} ${args.join(' ')} failed: ${error.stdout}\n${
            error.stderr
          }`,
        );
      });
      outputs.push(`${result.stdout}${result.stderr}`);
    }
    // unittest reports on stderr
    expect(outputs[0]).toMatch(/Ran 6 tests/);
    expect(outputs[0]).toMatch(/\nOK\s*$/);
    expect(JSON.parse(outputs[1])).toMatchObject({ msg: 'built', out: 'dist' });
    expect(readFileSync(join(out, 'dist', 'app.py'), 'utf8')).toBe(
      readFileSync(join(out, 'app.py'), 'utf8'),
    );
  });

  it('runs as the image runs it: dist/ as /app, the codeflow’s start command, PORT, /healthz, SIGTERM → exit 0', async () => {
    const definition = t.codeflowDefinition();
    // the build, if the test before did not run
    await run('python3', ['build.py'], { cwd: out, env: pythonEnv() });
    // what the generated Dockerfile does: COPY dist → deployPath/ (the folder's contents),
    // WORKDIR deployPath, ENTRYPOINT startCommand
    const app = join(dir, 'image', definition.deployPath);
    cpSync(join(out, definition.artifactPath), app, { recursive: true });
    const port = await freePort();
    const [program, ...args] = definition.startCommand as string[];
    const child = spawn(program, args, {
      cwd: app,
      env: pythonEnv({
        PORT: String(port),
        ...Object.fromEntries(
          (definition.env ?? []).map((e: any) => [e.name, e.value]),
        ),
      }),
    });
    const { health, exited, stdout, stderr } = await startedApp(child, port);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const root = await (await fetch(`http://127.0.0.1:${port}/`)).json();
    expect(root).toEqual({ service: 'hello-python', version: 'dev' });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr()).toBe('');
    const lines = stdout()
      .trim()
      .split('\n')
      .map(line => JSON.parse(line));
    expect(lines.map(l => l.msg)).toEqual([
      'listening',
      'request',
      'request',
      'shutting down',
      'stopped',
    ]);
    expect(lines[0]).toMatchObject({ level: 'info', port });
    expect(lines[1]).toMatchObject({ path: '/healthz', status: 200 });
    expect(lines[3]).toMatchObject({ signal: 'SIGTERM' });
  });
});
