// a shared test suite: its describe/it are called from the test files, and the titles are theirs
/* eslint-disable jest/no-export */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import { validate } from 'jsonschema';
import { createTemplateRenderer } from 'nunjitsu';
import { z as z3 } from 'zod/v3';
import {
  instanceAttachSchema,
  instanceInstallSchema,
} from '@internal/plugin-container-cloud-common';
import { suiteActions } from '../actions';
import type { GoldenPathTemplate, Step } from './goldenPath';

/**
 * The golden paths' optional middleware ("Middleware (optional)" page, the `redis` and `mysql`
 * steps), checked the way the scaffolder runs them: the form validated with jsonschema (what
 * the scaffolder's task API does), every `${{ … }}` and `if:` rendered by nunjitsu (the
 * scaffolder's own template engine, with its options), the output's conditional links
 * filtered as the scaffolder filters them.
 */

export const MIDDLEWARE_CHOICES = ['none', 'redis', 'mysql'] as const;
export type MiddlewareChoice = (typeof MIDDLEWARE_CHOICES)[number];

/** The install steps, by the middleware that runs them, with the variables' prefix. */
export const MIDDLEWARE_STEPS = {
  redis: { id: 'redis', chart: 'redis', prefix: 'REDIS_' },
  mysql: { id: 'mysql', chart: 'mysql', prefix: 'MYSQL_' },
} as const;

const renderer = createTemplateRenderer({ allowRegexExecution: true });

/**
 * A value as the scaffolder's workflow runner renders a step's input, an `if` or the output:
 * each string through `renderValue` (a sole `${{ x }}` keeps its type); a string that fails to
 * render stays as it is, as in the runner.
 */
export function renderAsScaffolder(
  value: unknown,
  context: Record<string, unknown>,
): any {
  return JSON.parse(JSON.stringify(value), (_key, v) => {
    if (typeof v !== 'string') return v;
    try {
      return renderer.renderValue(v, context as any);
    } catch {
      return v;
    }
  });
}

/** Whether the scaffolder runs a step (its `if`, rendered; an array counts when not empty). */
export function stepRuns(step: Step, context: Record<string, unknown>) {
  if (step.if === undefined) return true;
  const result = renderAsScaffolder(step.if, context);
  return Array.isArray(result) ? result.length > 0 : Boolean(result);
}

/** The app store templates ("Redis for my service", "MySQL for my service"), by chart. */
function appStoreTemplateDefaults(chart: 'redis' | 'mysql') {
  const docs = yaml.loadAll(
    readFileSync(
      resolve(__dirname, '../../../../examples/templates/app-store.yaml'),
      'utf8',
    ),
  ) as Array<{
    spec: {
      parameters: Array<{ properties: Record<string, { default?: unknown }> }>;
      steps: Array<{ input: { chart: string } }>;
    };
  }>;
  const doc = docs.find(d => d.spec.steps[0].input.chart === chart)!;
  const properties = Object.assign(
    {},
    ...doc.spec.parameters.map(p => p.properties),
  );
  return {
    preset: properties.preset.default,
    storage: properties.storage.default,
    expiresInDays: properties.expiresInDays.default,
    prefix: properties.prefix.default,
  };
}

/** What the outputs of the install step look like once it ran (the keys are the action's). */
function installOutputs(chart: 'redis' | 'mysql', serviceName: string) {
  return {
    outcome: 'installed',
    cluster: 'local-a',
    namespace: 'hello',
    name: `${serviceName}-${chart}`,
    chart,
    phase: 'ready',
    host: `${serviceName}-${chart}.hello.svc`,
    port: chart === 'redis' ? 6379 : 3306,
    passwordSecret: `${serviceName}-${chart}`,
    passwordSecretKey: 'password',
    expiresAt: '2026-12-14T10:00:00.000Z',
    attachedTo: `component:default/${serviceName}`,
    instanceUrl: `http://localhost:3000/app-store/instances/local-a/hello/${serviceName}-${chart}`,
  };
}

/**
 * The middleware page and steps of a golden-path template: the page's choices and defaults (the
 * app store templates'), where the steps sit, and for each choice what runs, with what input,
 * and what the summary shows.
 */
export function describeGoldenPathMiddleware(t: GoldenPathTemplate) {
  const { doc, step } = t;
  const page = doc.spec.parameters.find(
    p => (p as { title?: string }).title === 'Middleware (optional)',
  );
  const serviceName = t.form.name;

  /** The scaffolder's context for a run with this middleware (and form values). */
  const contextFor = (
    middleware: MiddlewareChoice,
    extra: Record<string, unknown> = {},
  ) => {
    const parameters: Record<string, unknown> = {
      ...t.parameters,
      middleware,
      ...extra,
    };
    const steps: Record<string, { output: Record<string, unknown> }> = {};
    for (const [id, output] of Object.entries(t.stepOutputs)) {
      steps[id] = { output };
    }
    // the install step's outputs, for the one that ran
    if (middleware !== 'none') {
      steps[middleware] = {
        output: {
          ...installOutputs(middleware, String(parameters.name)),
          variables: [
            `${MIDDLEWARE_STEPS[middleware].prefix}HOST`,
            `${MIDDLEWARE_STEPS[middleware].prefix}PORT`,
            `${MIDDLEWARE_STEPS[middleware].prefix}PASSWORD`,
          ],
        },
      };
    }
    return { parameters, steps };
  };

  describe('the optional middleware (Redis or MySQL from the app store)', () => {
    it('has a "Middleware (optional)" page: none, Redis or MySQL (none by default), in words', () => {
      expect(page).toBeDefined();
      const { middleware } = page!.properties as Record<string, any>;
      expect(middleware).toMatchObject({
        type: 'string',
        default: 'none',
        enum: ['none', 'redis', 'mysql'],
      });
      // the labels (RJSF's ui:enumNames: the form shows words, the steps get the values)
      expect(middleware['ui:enumNames']).toHaveLength(3);
      for (const name of middleware['ui:enumNames']) {
        expect(name).toMatch(/^[A-Z][a-zA-Z ()]+$/);
      }
    });

    it.each(['redis', 'mysql'] as const)(
      'with %s, the size, storage and expiry default to the app store template’s',
      chart => {
        const expected = appStoreTemplateDefaults(chart);
        const input = renderAsScaffolder(step(chart).input, contextFor(chart));
        expect(input).toMatchObject({
          preset: expected.preset,
          storage: expected.storage,
          expiresInDays: expected.expiresInDays,
          attachTo: { prefix: expected.prefix },
        });
      },
    );

    it('the form: the scaffolder takes the defaults and what a person may choose, and refuses the rest', () => {
      const valid = (values: Record<string, unknown>) =>
        validate({ ...t.parameters, ...values }, page as any).valid;
      expect(valid({})).toBe(true);
      expect(valid({ middleware: 'redis', middlewareStorage: '2Gi' })).toBe(
        true,
      );
      expect(valid({ middleware: 'mysql', middlewarePreset: 'large' })).toBe(
        true,
      );
      expect(valid({ middleware: 'postgres' })).toBe(false);
      expect(valid({ middlewarePreset: 'huge' })).toBe(false);
      expect(valid({ middlewareStorage: '512Mi' })).toBe(false);
      expect(valid({ middlewareStorage: 'lots' })).toBe(false);
      expect(valid({ middlewareExpiresInDays: 0 })).toBe(false);
      expect(valid({ middlewareExpiresInDays: 91 })).toBe(false);
    });

    it('installs after the service exists (attach needs its Deployment) and before the codeflow', () => {
      const ids = doc.spec.steps.map(s => s.id);
      expect(ids.indexOf('redis')).toBe(ids.indexOf('service') + 1);
      expect(ids.indexOf('mysql')).toBe(ids.indexOf('redis') + 1);
      expect(ids.indexOf('codeflow')).toBe(ids.indexOf('mysql') + 1);
      for (const { id } of Object.values(MIDDLEWARE_STEPS)) {
        expect(step(id).action).toBe('container-cloud:app-store:install');
      }
    });

    it.each(MIDDLEWARE_CHOICES)(
      'middleware %s: only its install step runs, and every other step still does',
      middleware => {
        const context = contextFor(middleware);
        const running = doc.spec.steps
          .filter(s => stepRuns(s, context))
          .map(s => s.id);
        // every other step (the domain's too: the form here names a host)
        const expected = doc.spec.steps
          .map(s => s.id)
          .filter(id => !['redis', 'mysql'].includes(id));
        if (middleware !== 'none') {
          expected.splice(expected.indexOf('codeflow'), 0, middleware);
        }
        expect(running).toEqual(expected);
      },
    );

    it.each(['redis', 'mysql'] as const)(
      'middleware %s: the install, owned by the new service in its first placement, waits for Ready and attaches it',
      chart => {
        const input = renderAsScaffolder(step(chart).input, contextFor(chart));
        const action = suiteActions.find(
          a => a.id === 'container-cloud:app-store:install',
        )!;
        const parsed = action.input(z3).safeParse(input);
        expect(parsed.error?.issues ?? []).toEqual([]);
        const [first] = t.form.placements;
        expect(parsed.data).toEqual({
          chart,
          owner: `component:default/${serviceName}`,
          cluster: first.cluster,
          namespace: first.namespace,
          name: `${serviceName}-${chart}`,
          preset: 'small',
          storage: chart === 'redis' ? '1Gi' : '8Gi',
          environment: 'test',
          expiresInDays: 7,
          waitForReady: true,
          readyTimeoutSeconds: 600,
          attachTo: {
            service: `component:default/${serviceName}`,
            prefix: MIDDLEWARE_STEPS[chart].prefix,
          },
        });
        // what the action sends the app-store backend: its contract takes it
        const install = instanceInstallSchema.safeParse({
          repository: 'local',
          version: '1.0.0',
          ...input,
        });
        expect(install.error?.issues ?? []).toEqual([]);
        const attach = instanceAttachSchema.safeParse(input.attachTo);
        expect(attach.error?.issues ?? []).toEqual([]);
      },
    );

    it('a storage the person chose is the one installed', () => {
      const input = renderAsScaffolder(
        step('mysql').input,
        contextFor('mysql', { middlewareStorage: '20Gi' }),
      );
      expect(input.storage).toBe('20Gi');
    });

    it('the instance’s name fits the app store’s 40 characters for the longest service name the form takes', () => {
      const longest = `a${'b'.repeat(61)}c`;
      expect(
        new RegExp(doc.spec.parameters[0].properties.name.pattern!).test(
          longest,
        ),
      ).toBe(true);
      for (const chart of ['redis', 'mysql'] as const) {
        const { name } = renderAsScaffolder(
          step(chart).input,
          contextFor(chart, { name: longest }),
        );
        const parsed = instanceInstallSchema.shape.name.safeParse(name);
        expect(parsed.error?.issues ?? []).toEqual([]);
        expect(name).toBe(`${longest.slice(0, 34)}-${chart}`);
      }
    });

    /** The summary as the scaffolder shows it: rendered, conditional links dropped. */
    const summaryFor = (middleware: MiddlewareChoice) => {
      const output = renderAsScaffolder(
        doc.spec.output,
        contextFor(middleware),
      ) as {
        links: Array<{ title: string; url?: string; if?: unknown }>;
        text: Array<{ title: string; content: string }>;
      };
      return {
        // the scaffolder drops the items whose `if` is false
        instanceLinks: output.links
          .filter(l => !('if' in l) || Boolean(l.if))
          .filter(l => l.url?.includes('/app-store/')),
        text: output.text.map(x => x.content).join('\n'),
      };
    };

    it('middleware none: the summary has no instance link and no middleware line', () => {
      const { instanceLinks, text } = summaryFor('none');
      expect(instanceLinks).toEqual([]);
      expect(text).not.toMatch(/Redis|MySQL|\$\{\{|\{%/);
      // the rest of the summary is there
      expect(text).toContain(`**${serviceName}**`);
    });

    it.each(['redis', 'mysql'] as const)(
      'middleware %s: the summary links to the instance’s page and says where its details went',
      middleware => {
        const { instanceLinks, text } = summaryFor(middleware);
        const outputs = installOutputs(middleware, serviceName);
        expect(instanceLinks).toEqual([
          expect.objectContaining({ url: outputs.instanceUrl }),
        ]);
        const { prefix } = MIDDLEWARE_STEPS[middleware];
        expect(text).toContain(`**${outputs.name}** installed (ready)`);
        expect(text).toContain(`${prefix}HOST`);
        expect(text).toContain(`${prefix}PASSWORD`);
        expect(text).toContain(`Secret \`${outputs.passwordSecret}\``);
        expect(text).toContain(`expires ${outputs.expiresAt}`);
        expect(text).not.toMatch(
          middleware === 'redis' ? /MySQL|\$\{\{|\{%/ : /Redis|\$\{\{|\{%/,
        );
      },
    );
  });
}
