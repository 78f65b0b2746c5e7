import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { z as z3 } from 'zod/v3';
import { suiteActions } from './actions';

const TEMPLATES = resolve(__dirname, '../../../examples/templates');

interface TemplateDoc {
  kind: string;
  metadata: { name: string };
  spec: {
    parameters: Array<{
      required?: string[];
      properties: Record<string, { default?: unknown }>;
    }>;
    steps: Array<{ id: string; action: string; input: unknown }>;
    output?: unknown;
  };
}

// what a person would pick in the forms, where the template offers no default
const PICKED: Record<string, unknown> = {
  entity: 'component:default/payments-api',
  serverName: 'payments.example.com',
  placements: [{ cluster: 'local-a', namespace: 'payments' }],
};

function templates(): Array<{ file: string; doc: TemplateDoc }> {
  const location = yaml.load(
    readFileSync(join(TEMPLATES, 'all.yaml'), 'utf8'),
  ) as { kind: string; spec: { targets: string[] } };
  expect(location.kind).toBe('Location');
  return location.spec.targets.map(target => {
    const file = join(TEMPLATES, target);
    return { file, doc: yaml.load(readFileSync(file, 'utf8')) as TemplateDoc };
  });
}

/** The form's values: each field's default, or what a person would pick. */
function formValues(doc: TemplateDoc): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const page of doc.spec.parameters) {
    for (const [name, property] of Object.entries(page.properties)) {
      const value = property.default ?? PICKED[name];
      if (value !== undefined) values[name] = value;
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
    const whole = /^\$\{\{\s*parameters\.(\w+)\s*\}\}$/.exec(value);
    if (whole) {
      expect(parameters).toHaveProperty(whole[1]);
      return parameters[whole[1]];
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

describe('the templates under examples/templates', () => {
  // the golden paths ("New Node.js service", "New Python service", "New Java (Spring Boot)
  // service") have their own tests, nodejsServiceTemplate.test.ts, pythonServiceTemplate.test.ts
  // and javaServiceTemplate.test.ts: their steps include Backstage's own actions and read earlier
  // steps' outputs
  const GOLDEN_PATHS = ['nodejs-service', 'python-service', 'java-service'];
  const everyTemplate = templates();
  const all = everyTemplate.filter(
    t => !GOLDEN_PATHS.includes(t.doc.metadata.name),
  );

  it('registers the five templates', () => {
    expect(everyTemplate.map(t => t.doc.metadata.name).sort()).toEqual([
      'add-domain-to-service',
      'add-volume-to-service',
      'java-service',
      'nodejs-service',
      'python-service',
    ]);
  });

  describe.each(all.map(t => [t.doc.metadata.name, t] as const))(
    '%s',
    (_name, { file, doc }) => {
      it('is a Template', () => {
        expect(doc.kind).toBe('Template');
        expect(dirname(file)).toContain(TEMPLATES);
      });

      it.each(doc.spec.steps.map(step => [step.id, step] as const))(
        'step %s uses an action of this module, with input its schema accepts',
        (_id, step) => {
          const action = suiteActions.find(a => a.id === step.action);
          expect(action).toBeDefined();
          const input = render(step.input, formValues(doc));
          const parsed = action!.input(z3).safeParse(input);
          expect(parsed.error?.issues ?? []).toEqual([]);
        },
      );

      it('links only to outputs its steps have', () => {
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
      });
    },
  );
});

describe('the golden paths’ optional middleware', () => {
  // every template that creates a service offers the same Middleware page and install steps as
  // "New Node.js service" (whose own test, with __testUtils__/goldenPathMiddleware.ts, renders
  // them with none, redis and mysql); a golden path that drifts or lacks them fails here
  const goldenPaths = templates().filter(t =>
    t.doc.spec.steps.some(s => s.action === 'container-cloud:service:create'),
  );
  const middlewareOf = (doc: TemplateDoc) => ({
    page: doc.spec.parameters.find(
      p => (p as { title?: string }).title === 'Middleware (optional)',
    ),
    steps: doc.spec.steps.filter(s => ['redis', 'mysql'].includes(s.id)),
  });
  const reference = middlewareOf(
    goldenPaths.find(t => t.doc.metadata.name === 'nodejs-service')!.doc,
  );

  it('the Node.js template has the page and a Redis and a MySQL install step', () => {
    expect(reference.page).toBeDefined();
    expect(reference.steps.map(s => [s.id, s.action])).toEqual([
      ['redis', 'container-cloud:app-store:install'],
      ['mysql', 'container-cloud:app-store:install'],
    ]);
  });

  it.each(goldenPaths.map(t => [t.doc.metadata.name, t.doc] as const))(
    '%s offers the same page and steps',
    (_name, doc) => {
      expect(middlewareOf(doc)).toEqual(reference);
    },
  );
});
