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
  '../../../examples/templates/nodejs-service/template.yaml',
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
  name: 'hello-node',
  owner: 'group:default/team-payments',
  system: 'system:default/payments',
  placements: [
    { cluster: 'local-a', namespace: 'hello' },
    { cluster: 'local-b', namespace: 'hello' },
  ],
  serverName: 'hello-node.test.example.com',
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
    cloneUrl: 'http://127.0.0.1:16498/hello-node.git',
    catalogInfoUrl:
      'http://127.0.0.1:16498/hello-node.git/raw/main/catalog-info.yaml',
    commitSha: 'a3f1c0de5b1e2d3c4b5a69788796a5b4c3d2e1f0',
    outcome: 'pushed',
  },
  register: { entityRef: 'component:default/hello-node' },
  service: { serviceUrl: 'http://localhost:3000/…/service' },
  codeflow: { outcome: 'created' },
  run: { runUrl: 'http://…', number: 1, status: 'succeeded', image: 'x' },
  domain: { url: 'http://hello-node.test.example.com' },
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

describe('the "New Node.js service" template', () => {
  it('is a Template whose steps go from skeleton to a running, built service', () => {
    expect(doc.kind).toBe('Template');
    expect(doc.metadata.name).toBe('nodejs-service');
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
    expect(all.spec.targets).toContain('./nodejs-service/template.yaml');
  });

  it('the name is a repository name the local git server takes, and a Kubernetes name', () => {
    const { pattern } = doc.spec.parameters[0].properties.name;
    expect(new RegExp(pattern!).test(FORM.name)).toBe(true);
    expect(REPOSITORY_NAME.test(FORM.name)).toBe(true);
    expect(new RegExp(pattern!).test('Hello_Node')).toBe(false);
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

  it('the codeflow is a valid definition (node-22, npm ci/test/build, dist)', () => {
    const input = codeflowAction()
      .input(z3)
      .parse(render(step('codeflow').input));
    const { entityRef, update, ...definition } = input;
    const parsed = codeflowDefinitionSchema.safeParse(definition);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data).toMatchObject({
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

describe('the skeleton, rendered by fetch:template with the template’s values', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-nodejs-skeleton-'));
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
        entityRef: 'template:default/nodejs-service',
        baseUrl: pathToFileURL(TEMPLATE).toString(),
      },
    });
    // the skeleton is fetched into a folder outside the workspace, as in a real task (the mock
    // would hand out the workspace itself)
    ctx.createTemporaryDirectory = async () =>
      mkdtempSync(join(dir, 'fetched-'));
    await fetchTemplate.handler(ctx as any);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
        owner: FORM.owner,
        system: FORM.system,
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
    expect(tested.stdout).toMatch(/# pass 3/);
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
    const definition = codeflowAction()
      .input(z3)
      .parse(render(step('codeflow').input));
    const app = join(dir, 'image', definition.deployPath);
    cpSync(join(out, definition.artifactPath), app, { recursive: true });
    const port = await freePort();
    const [program, ...args] = definition.startCommand as string[];
    const child = spawn(program, args, {
      cwd: app,
      env: { PATH: process.env.PATH, PORT: String(port) },
    });
    let stdout = '';
    child.stdout.on('data', c => (stdout += c));
    const exited = new Promise<number | null>(ok => child.on('exit', ok));
    // wait until it listens (a failure to start ends the test through `exited` first)
    let health: Response | undefined;
    while (!health) {
      const early = await Promise.race([
        exited.then(code => ({ code })),
        new Promise(r => setTimeout(r, 100)).then(() => undefined),
      ]);
      if (early) throw new Error(`the app exited (${early.code}): ${stdout}`);
      health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(
        () => undefined,
      );
    }
    expect(health.status).toBe(200);
    const root = await (await fetch(`http://127.0.0.1:${port}/`)).json();
    expect(root).toEqual({ service: 'hello-node', version: 'dev' });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = stdout
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
