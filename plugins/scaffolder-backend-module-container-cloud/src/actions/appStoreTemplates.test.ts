import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import { z as z3 } from 'zod/v3';
import {
  instanceAttachSchema,
  instanceParamsSchema,
} from '@internal/plugin-container-cloud-common';
import { suiteActions } from '.';
import { ownerRef } from './appStoreShared';

const ROOT = resolve(__dirname, '../../../..');
const FILE = 'examples/templates/app-store.yaml';

interface Property {
  default?: unknown;
  pattern?: string;
  'ui:field'?: string;
  'ui:options'?: { catalogFilter?: unknown; ownerParameter?: string };
}
interface TemplateDoc {
  kind: string;
  metadata: { name: string; title: string };
  spec: {
    parameters: Array<{
      required?: string[];
      properties: Record<string, Property>;
    }>;
    steps: Array<{ id: string; action: string; input: unknown }>;
    output?: unknown;
  };
}

// what a person would pick in the forms, where the template offers no default
const PICKED: Record<string, unknown> = {
  service: 'component:default/payments-api',
  placement: { cluster: 'local-a', namespace: 'payments' },
};

const docs = yaml.loadAll(
  readFileSync(resolve(ROOT, FILE), 'utf8'),
) as TemplateDoc[];

function properties(doc: TemplateDoc): Record<string, Property> {
  return Object.assign({}, ...doc.spec.parameters.map(p => p.properties));
}

/** The form's values: each field's default, or what a person would pick. */
function formValues(doc: TemplateDoc): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const page of doc.spec.parameters) {
    for (const [name, property] of Object.entries(page.properties)) {
      const value = property.default ?? PICKED[name];
      if (value !== undefined) values[name] = value;
      if (property.pattern && typeof value === 'string') {
        expect(value).toMatch(new RegExp(property.pattern));
      }
    }
    for (const name of page.required ?? []) {
      expect(page.properties).toHaveProperty(name);
    }
  }
  return values;
}

/**
 * Renders `${{ parameters.x }}` as the scaffolder does for a whole-value expression (the value
 * keeps its type); fails on any other expression, so a template cannot hide one from this test.
 */
function render(value: unknown, parameters: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{\{\s*parameters\.(\w+(?:\.\w+)*)\s*\}\}$/.exec(value);
    if (whole) {
      const path = whole[1].split('.');
      expect(parameters).toHaveProperty(path);
      return path.reduce<unknown>(
        (at, key) => (at as Record<string, unknown>)[key],
        parameters,
      );
    }
    expect(value).not.toContain('${{');
    return value;
  }
  if (Array.isArray(value)) return value.map(v => render(v, parameters));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, render(v, parameters)]),
    );
  }
  return value;
}

describe(`the app store templates (${FILE})`, () => {
  it('holds "Redis for my service" and "MySQL for my service"', () => {
    expect(docs.map(d => [d.kind, d.metadata.name, d.metadata.title])).toEqual([
      ['Template', 'redis-for-service', 'Redis for my service'],
      ['Template', 'mysql-for-service', 'MySQL for my service'],
    ]);
  });

  it.each(['app-config.yaml', 'packages/app/e2e-tests/ops.e2e.yaml'])(
    'is a catalog location of %s, allowed to hold Templates',
    config => {
      const { catalog } = yaml.load(
        readFileSync(resolve(ROOT, config), 'utf8'),
      ) as {
        catalog: {
          locations: Array<{ target: string; rules?: [{ allow: string[] }] }>;
        };
      };
      const location = catalog.locations.find(
        l => l.target === `../../${FILE}`,
      );
      expect(location?.rules?.[0].allow).toContain('Template');
    },
  );

  describe.each(docs.map(d => [d.metadata.name, d] as const))(
    '%s',
    (_name, doc) => {
      const values = formValues(doc);

      it('offers the Components the user owns for the service', () => {
        const service = properties(doc).service;
        expect(service['ui:field']).toBe('OwnedEntityPicker');
        expect(service['ui:options']?.catalogFilter).toEqual({
          kind: 'Component',
        });
      });

      it("offers the service's placements for the cluster and namespace (the app store's picker)", () => {
        const placement = properties(doc).placement;
        expect(placement['ui:field']).toBe('ContainerCloudPlacementPicker');
        expect(placement['ui:options']?.ownerParameter).toBe('service');
        expect(properties(doc)).not.toHaveProperty('cluster');
        expect(properties(doc)).not.toHaveProperty('namespace');
      });

      it.each(doc.spec.steps.map(step => [step.id, step] as const))(
        'step %s uses an action of this module, with input its schema and the contract accept',
        (_id, step) => {
          const action = suiteActions.find(a => a.id === step.action);
          expect(action?.id).toBe('container-cloud:app-store:install');
          const parsed = action!
            .input(z3)
            .safeParse(render(step.input, values));
          expect(parsed.error?.issues ?? []).toEqual([]);
          const input = parsed.data!;
          expect(input.chart).toBe(doc.metadata.name.split('-')[0]);
          // the instance is the service's, and attached to it
          expect(ownerRef('owner', input.owner)).toBe(
            'component:default/payments-api',
          );
          expect(input.attachTo.service).toBe(input.owner);
          expect(input.waitForReady).toBe(true);
          expect(
            instanceParamsSchema.safeParse(input).error?.issues ?? [],
          ).toEqual([]);
          expect(
            instanceAttachSchema.safeParse({
              service: ownerRef('attachTo', input.attachTo.service),
              prefix: input.attachTo.prefix,
            }).error?.issues ?? [],
          ).toEqual([]);
        },
      );

      it('links only to outputs its steps have, and shows no password', () => {
        const text = JSON.stringify(doc.spec.output);
        const used = [...text.matchAll(/steps\.(\w+)\.output\.(\w+)/g)].map(
          ([, step, key]) => [step, key],
        );
        expect(used.length).toBeGreaterThan(0);
        for (const [stepId, key] of used) {
          const step = doc.spec.steps.find(s => s.id === stepId);
          expect(step).toBeDefined();
          const action = suiteActions.find(a => a.id === step!.action)!;
          expect(Object.keys(action.output(z3).shape)).toContain(key);
        }
        expect(
          Object.keys(
            suiteActions
              .find(a => a.id === 'container-cloud:app-store:install')!
              .output(z3).shape,
          ),
        ).not.toContain('password');
      });
    },
  );
});
