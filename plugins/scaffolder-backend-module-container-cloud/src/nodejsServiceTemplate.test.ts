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

const t = goldenPathTemplate('nodejs-service', 'hello-node');

describeGoldenPathTemplate(t, {
  title: 'the "New Node.js service" template',
  invalidName: 'Hello_Node',
  codeflowTitle:
    'the codeflow is a valid definition (node-22, npm ci/test/build, dist)',
  codeflow: {
    buildImage: 'node-22',
    buildScript: [
      ['npm', 'ci'],
      ['npm', 'test'],
      ['npm', 'run', 'build'],
    ],
    artifactPath: 'dist',
    port: 8080,
    targets: [
      {
        service: 'component:default/hello-node',
        environment: 'test',
        placements: t.form.placements,
      },
    ],
  },
});

describeGoldenPathMiddleware(t);

describe('the skeleton, rendered by fetch:template with the template’s values', () => {
  const { dir, out } = renderSkeleton(t);

  it('has a catalog-info.yaml with owner, system, lifecycle and the kubernetes id', () => {
    const entity = yaml.load(
      readFileSync(join(out, 'catalog-info.yaml'), 'utf8'),
    ) as any;
    expect(entity).toMatchObject({
      kind: 'Component',
      metadata: {
        name: 'hello-node',
        description: 'A Node.js service',
        annotations: {
          'backstage.io/kubernetes-id': 'hello-node',
          // the binding's placements: exactly the form's
          'container-cloud.io/placements': 'local-a/hello, local-b/hello',
        },
      },
      spec: {
        type: 'service',
        lifecycle: 'experimental',
        owner: t.form.owner,
        system: t.form.system,
      },
    });
  });

  it('npm ci, npm test and npm run build pass (real node and npm, no network)', async () => {
    // a clean environment: not jest's (NODE_OPTIONS, NODE_ENV=test …)
    const npm = (...args: string[]) =>
      run('npm', args, {
        cwd: out,
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          npm_config_offline: 'true',
          npm_config_cache: join(dir, 'npm-cache'),
          CI: '1',
        },
      }).catch(error => {
        throw new Error(
          `npm ${args.join(' ')} failed: ${error.stdout}\n${error.stderr}`,
        );
      });
    await npm('ci');
    const tested = await npm('test');
    // the skeleton's 5: /healthz running, shutting down, with and without middleware; GET /
    expect(tested.stdout).toMatch(/# pass 5/);
    expect(tested.stdout).toMatch(/# fail 0/);
    await npm('run', 'build');
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: 'hello-node',
      engines: { node: '>=22' },
    });
  });

  it('runs as the image runs it: dist/ as /app, the codeflow’s start command, PORT, /healthz, SIGTERM → exit 0', async () => {
    // what the generated Dockerfile does: COPY dist → deployPath/ (the folder's contents),
    // WORKDIR deployPath, ENTRYPOINT startCommand
    const definition = t.codeflowDefinition();
    const app = join(dir, 'image', definition.deployPath);
    cpSync(join(out, definition.artifactPath), app, { recursive: true });
    const port = await freePort();
    const [program, ...args] = definition.startCommand as string[];
    const child = spawn(program, args, {
      cwd: app,
      env: { PATH: process.env.PATH, PORT: String(port) },
    });
    const { health, exited, stdout } = await startedApp(child, port);
    expect(health.status).toBe(200);
    const root = await (await fetch(`http://127.0.0.1:${port}/`)).json();
    expect(root).toEqual({ service: 'hello-node', version: 'dev' });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = stdout()
      .trim()
      .split('\n')
      .map(line => JSON.parse(line));
    expect(lines.map(l => l.msg)).toEqual(
      expect.arrayContaining([
        'listening',
        'request',
        'shutting down',
        'stopped',
      ]),
    );
    expect(lines[0]).toMatchObject({ level: 'info', port });
  });
});
