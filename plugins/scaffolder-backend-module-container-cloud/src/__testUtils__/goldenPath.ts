// a shared test suite: its describe/it are called from the test files, and the titles are theirs
/* eslint-disable jest/no-export, jest/valid-title */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
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
import { suiteActions } from '../actions';
import {
  localGitServerFromConfig,
  REPOSITORY_NAME,
} from '../actions/publishLocalGitServer';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import type { Entity } from '@backstage/catalog-model';
import scaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import type { LocalCloudClusterName } from '@internal/local-cloud';
import { AppsV1Api } from '@kubernetes/client-node';
import type { LocalCloudTestContext } from '@internal/local-cloud/testing';
import {
  FIXTURES_ORIGIN,
  serviceEntity,
} from '@internal/plugin-container-cloud-node/testing';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import codeflowPlugin from '@internal/plugin-codeflow-backend';
// the real nginx backend (its test environments) and a scratch nginx it delivers to
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import nginxPlugin from '@internal/plugin-nginx-backend';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  freePort as freeNginxPort,
  startScratchNginx,
  TEST_ENVIRONMENT_PREFIX,
} from '@internal/plugin-nginx-backend/testing';
import request from 'supertest';
import { localCloudClusters, startSuiteBackend } from './startSuiteBackend';
import { localGitUrlReaderFactory } from '../actions/publishLocalGitReader';

/**
 * What the golden-path template tests share: the template read from
 * `examples/templates/<folder>/template.yaml`, the form a person fills in, the scaffolder's
 * rendering of `${{ … }}`, the checks every golden-path template passes, and its skeleton rendered
 * by the real fetch:template.
 */

export interface Step {
  id: string;
  action: string;
  if?: string;
  input: Record<string, unknown>;
}

export interface TemplateDoc {
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
}

export const run = promisify(execFile);

/** The codeflow:create action, whose input is the codeflow definition (plus entityRef, update). */
export function codeflowAction() {
  return suiteActions.find(a => a.id === 'container-cloud:codeflow:create')!;
}

/** An action's outputs: ours from their schemas, Backstage's catalog:register as documented. */
export function outputsOf(actionId: string): string[] {
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

export function freePort(): Promise<number> {
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
 * A golden-path template, read from its folder, with the form filled in for a service called
 * `serviceName` (placements local-a/hello and local-b/hello).
 */
export function goldenPathTemplate(folder: string, serviceName: string) {
  const templatePath = resolve(
    __dirname,
    `../../../../examples/templates/${folder}/template.yaml`,
  );
  const doc = yaml.load(readFileSync(templatePath, 'utf8')) as TemplateDoc;

  // what a person fills in where the form has no default
  const form = {
    name: serviceName,
    owner: 'group:default/team-payments',
    system: 'system:default/payments',
    placements: [
      { cluster: 'local-a', namespace: 'hello' },
      { cluster: 'local-b', namespace: 'hello' },
    ],
    serverName: `${serviceName}.test.example.com`,
  };
  const parameters: Record<string, unknown> = { ...form };
  for (const page of doc.spec.parameters) {
    for (const [name, property] of Object.entries(page.properties)) {
      if (parameters[name] === undefined && property.default !== undefined) {
        parameters[name] = property.default;
      }
    }
  }

  // what the steps before a step answer (each key checked against the action's output)
  const stepOutputs: Record<string, Record<string, unknown>> = {
    check: {
      entityRef: `component:default/${serviceName}`,
      entity: 'absent',
      placements: [],
    },
    publish: {
      cloneUrl: `http://127.0.0.1:16498/${serviceName}.git`,
      catalogInfoUrl: `http://127.0.0.1:16498/${serviceName}.git/raw/main/catalog-info.yaml`,
      commitSha: 'a3f1c0de5b1e2d3c4b5a69788796a5b4c3d2e1f0',
      outcome: 'pushed',
    },
    register: { entityRef: `component:default/${serviceName}` },
    service: { serviceUrl: 'http://localhost:3000/…/service' },
    codeflow: { outcome: 'created' },
    run: { runUrl: 'http://…', number: 1, status: 'succeeded', image: 'x' },
    domain: { url: `http://${serviceName}.test.example.com` },
  };

  /**
   * `${{ parameters.x }}` and `${{ steps.s.output.k }}` as the scaffolder renders them: a
   * whole-value expression keeps its type, one inside text becomes text. Any other expression
   * fails the test.
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
      expect(stepOutputs[output![1]]).toHaveProperty(output![2]);
      return stepOutputs[output![1]][output![2]];
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

  /** The codeflow step's input, parsed by the action's schema. */
  const codeflowDefinition = () =>
    codeflowAction()
      .input(z3)
      .parse(render(step('codeflow').input));

  return {
    folder,
    templatePath,
    doc,
    form,
    parameters,
    stepOutputs,
    render,
    step,
    codeflowDefinition,
  };
}

export type GoldenPathTemplate = ReturnType<typeof goldenPathTemplate>;

/**
 * The checks every golden-path template passes, in a describe of their own: the step sequence,
 * the name pattern, each step's input against its action's schema, the codeflow definition
 * (`codeflow`: what it must contain, beyond being valid), the run request, the probes and the
 * summary's links.
 */
export function describeGoldenPathTemplate(
  t: GoldenPathTemplate,
  options: {
    title: string;
    /** a name the form must refuse */
    invalidName: string;
    codeflowTitle: string;
    codeflow: Record<string, unknown>;
  },
) {
  const { doc, form, step, render } = t;
  describe(options.title, () => {
    it('is a Template whose steps go from skeleton to a running, built service', () => {
      expect(doc.kind).toBe('Template');
      expect(doc.metadata.name).toBe(t.folder);
      // first: nothing is made before the services backend says the user may
      expect(doc.spec.steps[0].action).toBe(
        'container-cloud:service:check-new',
      );
      // the steps every run takes (optional ones, e.g. middleware, may come in between), and the
      // domain's
      expect(
        doc.spec.steps
          .filter(s => !s.if || s.id === 'domain')
          .map(s => s.action),
      ).toEqual([
        'container-cloud:service:check-new',
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
        readFileSync(join(dirname(t.templatePath), '../all.yaml'), 'utf8'),
      ) as { spec: { targets: string[] } };
      expect(all.spec.targets).toContain(`./${t.folder}/template.yaml`);
    });

    it('the name is a repository name the local git server takes, and a Kubernetes name', () => {
      const { pattern } = doc.spec.parameters[0].properties.name;
      expect(new RegExp(pattern!).test(form.name)).toBe(true);
      expect(REPOSITORY_NAME.test(form.name)).toBe(true);
      expect(new RegExp(pattern!).test(options.invalidName)).toBe(false);
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

    it(options.codeflowTitle, () => {
      const { entityRef, update, ...definition } = t.codeflowDefinition();
      const parsed = codeflowDefinitionSchema.safeParse(definition);
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(parsed.data).toMatchObject(options.codeflow);
    });

    it('the run builds the commit the publish step pushed, as a valid run request', () => {
      const { ref, commit, environment } = render(step('run').input) as any;
      const parsed = codeflowRunRequestSchema.safeParse({
        ref,
        commit,
        environment,
      });
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(commit).toBe(t.stepOutputs.publish.commitSha);
    });

    it('the first step checks the name, owner and placements the later steps use', () => {
      expect(doc.spec.steps[0].id).toBe('check');
      const input = render(step('check').input) as any;
      expect(input).toEqual({
        name: form.name,
        owner: form.owner,
        placements: form.placements,
      });
      // the same placements as the service is created in
      expect((render(step('service').input) as any).placements).toEqual(
        input.placements,
      );
    });

    it('the probes call /healthz on the service’s port', () => {
      const input = render(step('service').input) as any;
      expect(input.readinessProbe).toMatchObject({
        path: '/healthz',
        port: 8080,
      });
      expect(input.livenessProbe).toMatchObject({
        path: '/healthz',
        port: 8080,
      });
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
}

/**
 * Renders the template's skeleton with the real fetch:template, in a beforeAll of the calling
 * describe (removed in its afterAll). `dir` is a scratch folder; the skeleton is in `out`.
 */
export function renderSkeleton(t: GoldenPathTemplate) {
  const dir = mkdtempSync(join(tmpdir(), `cc-${t.folder}-skeleton-`));
  const out = join(dir, 'workspace');

  beforeAll(async () => {
    const fetchTemplate = createFetchTemplateAction({
      // a file: template fetches from its own folder; no reader or integration is asked
      reader: {} as any,
      integrations: {} as any,
    });
    const input = t.render(t.step('fetch').input) as any;
    const ctx = createMockActionContext({
      input,
      workspacePath: out,
      templateInfo: {
        entityRef: `template:default/${t.doc.metadata.name}`,
        baseUrl: pathToFileURL(t.templatePath).toString(),
      },
    });
    // the skeleton is fetched into a folder outside the workspace, as in a real task (the mock
    // would hand out the workspace itself)
    ctx.createTemporaryDirectory = async () =>
      mkdtempSync(join(dir, 'fetched-'));
    await fetchTemplate.handler(ctx as any);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  return { dir, out };
}

/** The test environments `useGoldenPathBackend` configures with `testEnvironments`. */
export const TEST_ENVIRONMENTS = {
  /** the nginx cluster (the templates' default nginxCluster) */
  cluster: 'local',
  /** a service's test domain is `<name>.test.example.com` */
  environment: 'test',
  wildcardDomain: 'example.com',
  address: '127.0.0.1',
  /** the scheduler syncs them this often (the config's default is 5 minutes) */
  frequency: { seconds: 3 },
} as const;

/** What the scratch nginx answers for a host no domain serves (its port's default server). */
export const DEFAULT_SERVER_STATUS = 421;

/** A service's test domain host, as the nginx backend's test environments name it. */
export function testDomainHost(name: string): string {
  return `${name}.${TEST_ENVIRONMENTS.environment}.${TEST_ENVIRONMENTS.wildcardDomain}`;
}

/** The name of the domain the test environment sync makes for a service. */
export function testDomainName(name: string): string {
  return `${TEST_ENVIRONMENT_PREFIX}${name}`;
}

/**
 * For an integration test of a golden-path template on the local cloud, in a beforeAll of the
 * calling describe: the suite backend with the real catalog (holding the template, read from its
 * file), the codeflow backend and the local git server's URL reader, on the local cloud's
 * clusters. `runTask` starts the template through the scaffolder's own task API as `user` with
 * what the form sends (its defaults too: the API fills none) and waits for the task's end. The
 * afterAll stops the backend (and the scratch nginx of `testEnvironments`) and deletes the
 * repository `name` from the local git server.
 */
export function useGoldenPathBackend(
  lc: LocalCloudTestContext,
  options: {
    folder: string;
    name: string;
    description: string;
    initialImage: string;
    /**
     * More of `containerCloud.binding.teamPlacements` (group ref → `cluster/namespace` list), from
     * the test's namespace; team-payments always may deploy to `*\/<namespace>`.
     */
    teamPlacements?: (namespace: string) => Record<string, string[]>;
    /**
     * With the nginx backend and its test environments on a scratch nginx of the test's own
     * (nginx cluster `local`, see `TEST_ENVIRONMENTS`): every Component whose Service exists gets
     * `<name>.test.example.com` on a loopback port, synced by the real scheduler (backed by the
     * test backend's database) every few seconds. `testDomainAnswer` asks that nginx.
     */
    testEnvironments?: boolean;
  },
) {
  const templatePath = resolve(
    __dirname,
    `../../../../examples/templates/${options.folder}/template.yaml`,
  );
  const localCloud = yaml.load(
    readFileSync(process.env.LOCAL_CLOUD_APP_CONFIG!, 'utf8'),
  ) as any;
  const git = localGitServerFromConfig(
    mockServices.rootConfig({ data: localCloud }),
  )!;
  const gitAuth = `Basic ${Buffer.from(
    `${git.username}:${git.password}`,
  ).toString('base64')}`;
  const template = yaml.load(readFileSync(templatePath, 'utf8')) as Entity;
  template.metadata.annotations = {
    'backstage.io/managed-by-location': `file:${templatePath}`,
    'backstage.io/managed-by-origin-location': `file:${templatePath}`,
  };
  let suite: Awaited<ReturnType<typeof startSuiteBackend>>;
  let clusters: LocalCloudClusterName[] = [];
  let nginx: Awaited<ReturnType<typeof startScratchNginx>> | undefined;
  let nginxPort = 0;

  /** The nginx backend with test environments delivered to a scratch nginx on loopback. */
  async function startTestEnvironmentsNginx() {
    nginx = await startScratchNginx();
    nginxPort = await freeNginxPort();
    // a host without its test domain yet gets 421, not some other domain's server block
    await nginx.defaultServer(
      `${TEST_ENVIRONMENTS.address}:${nginxPort}`,
      DEFAULT_SERVER_STATUS,
    );
    return {
      clusters: [
        {
          name: TEST_ENVIRONMENTS.cluster,
          environment: 'test',
          confDir: nginx.confDir,
          reloadCommand: nginx.reloadCommand,
        },
      ],
      testEnvironments: {
        cluster: TEST_ENVIRONMENTS.cluster,
        wildcardDomain: TEST_ENVIRONMENTS.wildcardDomain,
        environment: TEST_ENVIRONMENTS.environment,
        address: TEST_ENVIRONMENTS.address,
        port: nginxPort,
        frequency: TEST_ENVIRONMENTS.frequency,
      },
    };
  }

  beforeAll(async () => {
    clusters = lc.info.clusters.map(c => c.name);
    const nginxConfig = options.testEnvironments
      ? await startTestEnvironmentsNginx()
      : undefined;
    suite = await startSuiteBackend({
      clusters: localCloudClusters(lc.info),
      entities: [
        serviceEntity('payments-api', 'group:default/team-payments'),
        template,
      ],
      features: [
        codeflowPlugin,
        scaffolderEntityModel,
        localGitUrlReaderFactory,
        // the real scheduler (the test backend's mock runs a task once, at start-up): the test
        // environments are synced on their frequency, one replica at a time, as in production
        ...(nginxConfig ? [nginxPlugin, schedulerServiceFactory] : []),
      ],
      containerCloud: {
        codeflow: localCloud.containerCloud.codeflow,
        ...(nginxConfig ? { nginx: nginxConfig } : {}),
        binding: {
          // the local git server's repositories are trusted origins on the local cloud
          trustedOrigins: [FIXTURES_ORIGIN, `url:${git.url}/*`],
          // where each team may run a new service (the deploy targets the first step checks)
          teamPlacements: {
            'group:default/team-payments': [`*/${lc.namespace}`],
            ...options.teamPlacements?.(lc.namespace),
          },
        },
      },
    });
  });

  afterAll(async () => {
    await suite?.backend.stop();
    await nginx?.stop();
    await fetch(`${git.url}/api/repos/${options.name}`, {
      method: 'DELETE',
      headers: { authorization: gitAuth },
    });
  });

  /**
   * The HTTP status the scratch nginx answers for `host` on its test environments' loopback port
   * (`DEFAULT_SERVER_STATUS` when no domain serves it), or undefined when nothing answers.
   * Needs `testEnvironments`.
   */
  function testDomainAnswer(host: string): Promise<number | undefined> {
    if (!nginx) throw new Error('useGoldenPathBackend: no testEnvironments');
    return new Promise(answer => {
      const req = httpRequest(
        {
          host: TEST_ENVIRONMENTS.address,
          port: nginxPort,
          path: '/healthz',
          // fetch would not send another Host than the URL's
          headers: { host },
        },
        res => {
          res.resume();
          answer(res.statusCode);
        },
      );
      req.on('error', () => answer(undefined));
      req.setTimeout(5000, () => req.destroy());
      req.end();
    });
  }

  const api = () => request(suite.backend.server);

  async function runTask(
    user: string,
    extraValues: Record<string, unknown> = {},
  ) {
    const auth = mockCredentials.user.header(user);
    // the form's defaults, as the Create page sends them (the task API fills in none)
    const defaults: Record<string, unknown> = {};
    for (const page of (template as unknown as TemplateDoc).spec.parameters) {
      for (const [key, property] of Object.entries(page.properties)) {
        if (property.default !== undefined) defaults[key] = property.default;
      }
    }
    const started = await api()
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', auth)
      .send({
        templateRef: `template:default/${options.folder}`,
        values: {
          ...defaults,
          name: options.name,
          description: options.description,
          replicas: 1,
          port: 8080,
          initialImage: options.initialImage,
          nginxCluster: 'local',
          owner: 'group:default/team-payments',
          system: 'system:default/payments',
          placements: clusters.map(cluster => ({
            cluster,
            namespace: lc.namespace,
          })),
          ...extraValues,
        },
      });
    if (started.status !== 201) throw new Error(JSON.stringify(started.body));
    let task: any;
    do {
      await new Promise(r => setTimeout(r, 1000));
      task = (
        await api()
          .get(`/api/scaffolder/v2/tasks/${started.body.id}`)
          .set('Authorization', auth)
      ).body;
    } while (task.status === 'open' || task.status === 'processing');
    const events = (
      await api()
        .get(`/api/scaffolder/v2/tasks/${started.body.id}/events`)
        .set('Authorization', auth)
    ).body as Array<{
      body: {
        message?: string;
        stepId?: string;
        status?: string;
        error?: { name: string; message: string };
      };
    }>;
    const stepStatus: Record<string, string> = {};
    const stepLogs: Record<string, string[]> = {};
    for (const e of events) {
      if (e.body.stepId && e.body.status) {
        stepStatus[e.body.stepId] = e.body.status;
      }
      if (e.body.stepId && e.body.message) {
        (stepLogs[e.body.stepId] ??= []).push(e.body.message);
      }
    }
    return {
      task,
      stepStatus,
      /** the error that failed the task (its name and message), if it failed */
      error: events.find(e => e.body.error)?.body.error,
      /** one step's log lines, joined */
      stepLog: (stepId: string) => (stepLogs[stepId] ?? []).join('\n'),
      log: events.map(e => e.body.message ?? '').join('\n'),
    };
  }

  /**
   * What exists of the service `options.name` now, each thing counted: repositories of that
   * name on the local git server, catalog entities and locations, codeflows and their runs (as
   * `user`, an owner), and Deployments of that name per cluster (each with its replicas and
   * generation, for "nothing changed").
   */
  async function whatExists(user: string) {
    const auth = mockCredentials.user.header(user);
    const repos = (await (
      await fetch(`${git.url}/api/repos`, {
        headers: { authorization: gitAuth },
      })
    ).json()) as { items: Array<{ name: string }> };
    const entities = await api()
      .get('/api/catalog/entities/by-query')
      .query({ filter: `metadata.name=${options.name}` })
      .set('Authorization', auth);
    const locations = await api()
      .get('/api/catalog/locations')
      .set('Authorization', auth);
    const ours = (locations.body as Array<{ data: { target: string } }>).filter(
      l => l.data.target.includes(`/${options.name}.git/`),
    );
    const codeflows = await api()
      .get(`/api/codeflow/services/default/${options.name}/codeflows`)
      .set('Authorization', auth);
    const codeflowItems: Array<{ id: string }> =
      codeflows.status === 200 ? codeflows.body.items : [];
    const runs: number[] = [];
    for (const codeflow of codeflowItems) {
      const listed = await api()
        .get(
          `/api/codeflow/services/default/${options.name}/codeflows/${codeflow.id}/runs`,
        )
        .set('Authorization', auth);
      runs.push(listed.body.items.length);
    }
    const deployments: Record<
      string,
      Array<{ replicas?: number; generation?: number; image?: string }>
    > = {};
    for (const cluster of clusters) {
      const listed = await lc
        .kubeConfig(cluster)
        .makeApiClient(AppsV1Api)
        .listNamespacedDeployment({
          namespace: lc.namespace,
          fieldSelector: `metadata.name=${options.name}`,
        });
      deployments[cluster] = listed.items.map(d => ({
        replicas: d.spec?.replicas,
        generation: d.metadata?.generation,
        image: d.spec?.template.spec?.containers[0]?.image,
      }));
    }
    return {
      repositories: repos.items.filter(r => r.name === options.name).length,
      entities: (entities.body.items as unknown[]).length,
      locations: ours.length,
      /** the codeflow backend's status for the service's codeflows (404: no such entity) */
      codeflowsStatus: codeflows.status,
      codeflows: codeflowItems.length,
      runs,
      deployments,
    };
  }

  return {
    api,
    git,
    gitAuth,
    runTask,
    whatExists,
    testDomainAnswer,
    get suite() {
      return suite;
    },
    get clusters() {
      return clusters;
    },
  };
}
