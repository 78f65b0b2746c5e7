import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import yaml from 'js-yaml';
import { z as z3 } from 'zod/v3';
import { createFetchTemplateAction } from '@backstage/plugin-scaffolder-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  codeflowDefinitionSchema,
  codeflowRunRequestSchema,
} from '@internal/plugin-container-cloud-common';
import { suiteActions } from './actions';
import { REPOSITORY_NAME } from './actions/publishLocalGitServer';

jest.setTimeout(180_000);

const TEMPLATE = resolve(
  __dirname,
  '../../../examples/templates/python-service/template.yaml',
);

interface Step {
  id: string;
  action: string;
  if?: string;
  input: Record<string, unknown>;
}
const doc = yaml.load(readFileSync(TEMPLATE, 'utf8')) as {
  kind: string;
  metadata: { name: string };
  spec: {
    parameters: Array<{
      required?: string[];
      properties: Record<string, { default?: unknown; pattern?: string }>;
    }>;
    steps: Step[];
    output: unknown;
  };
};

// what a person fills in where the form has no default
const FORM = {
  name: 'hello-python',
  owner: 'group:default/team-payments',
  system: 'system:default/payments',
  placements: [
    { cluster: 'local-a', namespace: 'hello' },
    { cluster: 'local-b', namespace: 'hello' },
  ],
  serverName: 'hello-python.test.example.com',
};
const parameters: Record<string, unknown> = { ...FORM };
for (const page of doc.spec.parameters) {
  for (const [name, property] of Object.entries(page.properties)) {
    if (parameters[name] === undefined && property.default !== undefined) {
      parameters[name] = property.default;
    }
  }
}

// what the steps before a step answer (each key checked against the action's output below)
const STEP_OUTPUTS: Record<string, Record<string, unknown>> = {
  publish: {
    cloneUrl: 'http://127.0.0.1:16498/hello-python.git',
    catalogInfoUrl:
      'http://127.0.0.1:16498/hello-python.git/raw/main/catalog-info.yaml',
    commitSha: 'a3f1c0de5b1e2d3c4b5a69788796a5b4c3d2e1f0',
    outcome: 'pushed',
  },
  register: { entityRef: 'component:default/hello-python' },
  service: { serviceUrl: 'http://localhost:3000/…/service' },
  codeflow: { outcome: 'created' },
  run: { runUrl: 'http://…', number: 1, status: 'succeeded', image: 'x' },
  domain: { url: 'http://hello-python.test.example.com' },
};

/**
 * `${{ parameters.x }}` and `${{ steps.s.output.k }}` as the scaffolder renders them: a whole-value
 * expression keeps its type, one inside text becomes text. Any other expression fails the test.
 */
function render(value: unknown): unknown {
  const lookup = (path: string) => {
    const parameter = /^parameters\.(\w+)$/.exec(path);
    if (parameter) {
      expect(parameters).toHaveProperty(parameter[1]);
      return parameters[parameter[1]];
    }
    const output = /^steps\.(\w+)\.output\.(\w+)$/.exec(path);
    expect(output).not.toBeNull();
    expect(STEP_OUTPUTS[output![1]]).toHaveProperty(output![2]);
    return STEP_OUTPUTS[output![1]][output![2]];
  };
  if (typeof value === 'string') {
    const whole = /^\$\{\{\s*([\w.]+)\s*\}\}$/.exec(value);
    if (whole) return lookup(whole[1]);
    return value.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, path) =>
      String(lookup(path)),
    );
  }
  if (Array.isArray(value)) return value.map(render);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, render(v)]),
    );
  }
  return value;
}

const step = (id: string) => doc.spec.steps.find(s => s.id === id)!;

describe('the "New Python service" template', () => {
  it('is a Template whose steps go from skeleton to a running, built service', () => {
    expect(doc.kind).toBe('Template');
    expect(doc.metadata.name).toBe('python-service');
    expect(doc.spec.steps.map(s => s.action)).toEqual([
      'fetch:template',
      'publish:container-cloud:local-git',
      'catalog:register',
      'container-cloud:catalog:wait',
      'container-cloud:service:create',
      'container-cloud:codeflow:create',
      'container-cloud:codeflow:run',
      'container-cloud:nginx:domain:create',
    ]);
    const all = yaml.load(
      readFileSync(join(dirname(TEMPLATE), '../all.yaml'), 'utf8'),
    ) as { spec: { targets: string[] } };
    expect(all.spec.targets).toContain('./python-service/template.yaml');
  });

  it('the name is a repository name the local git server takes, and a Kubernetes name', () => {
    const { pattern } = doc.spec.parameters[0].properties.name;
    expect(new RegExp(pattern!).test(FORM.name)).toBe(true);
    expect(REPOSITORY_NAME.test(FORM.name)).toBe(true);
    expect(new RegExp(pattern!).test('Hello_Python')).toBe(false);
  });

  it.each(
    doc.spec.steps
      .filter(s => s.action.startsWith('container-cloud:'))
      .map(s => [s.id, s] as const),
  )('step %s: the input parses with its action’s schema', (_id, s) => {
    const action = suiteActions.find(a => a.id === s.action);
    expect(action).toBeDefined();
    const parsed = action!.input(z3).safeParse(render(s.input));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('the codeflow is a valid definition (python-3.11, unittest then build.py, dist, python3 app.py)', () => {
    const input = codeflowAction()
      .input(z3)
      .parse(render(step('codeflow').input));
    const { entityRef, update, ...definition } = input;
    const parsed = codeflowDefinitionSchema.safeParse(definition);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data).toMatchObject({
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
          placements: FORM.placements,
        },
      ],
    });
  });

  it('the run builds the commit the publish step pushed, as a valid run request', () => {
    const { ref, commit, environment } = render(step('run').input) as any;
    const parsed = codeflowRunRequestSchema.safeParse({
      ref,
      commit,
      environment,
    });
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(commit).toBe(STEP_OUTPUTS.publish.commitSha);
  });

  it('the probes call /healthz on the service’s port', () => {
    const input = render(step('service').input) as any;
    expect(input.readinessProbe).toMatchObject({
      path: '/healthz',
      port: 8080,
    });
    expect(input.livenessProbe).toMatchObject({ path: '/healthz', port: 8080 });
  });

  it('the summary links only to outputs the steps have', () => {
    const text = JSON.stringify(doc.spec.output);
    const used = [...text.matchAll(/steps\.(\w+)\.output\.(\w+)/g)];
    expect(used.length).toBeGreaterThan(0);
    for (const [, id, key] of used) {
      const s = step(id);
      expect(s).toBeDefined();
      expect(outputsOf(s.action)).toContain(key);
    }
  });
});

/** An action's outputs: ours from their schemas, Backstage's catalog:register as documented. */
function outputsOf(actionId: string): string[] {
  const action = suiteActions.find(a => a.id === actionId);
  if (action) return Object.keys(action.output(z3).shape);
  return (
    {
      'publish:container-cloud:local-git': [
        'remoteUrl',
        'cloneUrl',
        'repoContentsUrl',
        'catalogInfoUrl',
        'commitSha',
        'outcome',
        'created',
      ],
      'catalog:register': ['entityRef', 'catalogInfoUrl'],
    }[actionId] ?? []
  );
}

function codeflowAction() {
  return suiteActions.find(a => a.id === 'container-cloud:codeflow:create')!;
}

const run = promisify(execFile);

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

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

describe('the skeleton, rendered by fetch:template with the template’s values', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-python-skeleton-'));
  const out = join(dir, 'workspace');

  beforeAll(async () => {
    const fetchTemplate = createFetchTemplateAction({
      // a file: template fetches from its own folder; no reader or integration is asked
      reader: {} as any,
      integrations: {} as any,
    });
    const input = render(step('fetch').input) as any;
    const ctx = createMockActionContext({
      input,
      workspacePath: out,
      templateInfo: {
        entityRef: 'template:default/python-service',
        baseUrl: pathToFileURL(TEMPLATE).toString(),
      },
    });
    // the skeleton is fetched into a folder outside the workspace, as in a real task
    ctx.createTemporaryDirectory = async () =>
      mkdtempSync(join(dir, 'fetched-'));
    await fetchTemplate.handler(ctx as any);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
        owner: FORM.owner,
        system: FORM.system,
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

  it('the codeflow’s build script passes with the host’s python3: 4 unittests, then dist/ holds app.py', async () => {
    const definition = codeflowAction()
      .input(z3)
      .parse(render(step('codeflow').input));
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
    expect(outputs[0]).toMatch(/Ran 4 tests/);
    expect(outputs[0]).toMatch(/\nOK\s*$/);
    expect(JSON.parse(outputs[1])).toMatchObject({ msg: 'built', out: 'dist' });
    expect(readFileSync(join(out, 'dist', 'app.py'), 'utf8')).toBe(
      readFileSync(join(out, 'app.py'), 'utf8'),
    );
  });

  it('runs as the image runs it: dist/ as /app, the codeflow’s start command, PORT, /healthz, SIGTERM → exit 0', async () => {
    const definition = codeflowAction()
      .input(z3)
      .parse(render(step('codeflow').input));
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
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', c => (stdout += c));
    child.stderr.on('data', c => (stderr += c));
    const exited = new Promise<number | null>(ok => child.on('exit', ok));
    // wait until it listens (a failure to start ends the test through `exited` first)
    let health: Response | undefined;
    while (!health) {
      const early = await Promise.race([
        exited.then(code => ({ code })),
        new Promise(r => setTimeout(r, 100)).then(() => undefined),
      ]);
      if (early) {
        throw new Error(`the app exited (${early.code}): ${stdout}${stderr}`);
      }
      health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(
        () => undefined,
      );
    }
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const root = await (await fetch(`http://127.0.0.1:${port}/`)).json();
    expect(root).toEqual({ service: 'hello-python', version: 'dev' });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout
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
