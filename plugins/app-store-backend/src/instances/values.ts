import { InputError } from '@backstage/errors';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { HelmValues } from '../helm/HelmRunner';

/**
 * The install form's fields as the project's charts read them (see charts/*\/values.schema.json):
 * `preset` (small | medium | large), `storage.size`, and `auth.password` (absent: the chart
 * generates one). Whatever `values` the person gave is kept, the form's fields over it.
 * The password goes only into `secretValues` (a 0600 file for Helm, never logged or audited).
 * @public
 */
export function installValues(input: {
  preset?: string;
  storage?: string;
  password?: string;
  values?: Record<string, unknown>;
}): HelmValues {
  const values: Record<string, unknown> = structuredClone(input.values ?? {});
  if (input.preset !== undefined) values.preset = input.preset;
  if (input.storage !== undefined) {
    const storage =
      typeof values.storage === 'object' && values.storage !== null
        ? (values.storage as Record<string, unknown>)
        : {};
    values.storage = { ...storage, size: input.storage };
  }
  // a password among the free values is a secret too: moved out of `values`
  const secretValues: Record<string, unknown> = {};
  const auth = values.auth as Record<string, unknown> | undefined;
  if (auth && typeof auth === 'object' && 'password' in auth) {
    const { password, ...rest } = auth;
    secretValues.auth = { password };
    if (Object.keys(rest).length > 0) values.auth = rest;
    else delete values.auth;
  }
  if (input.password !== undefined) {
    secretValues.auth = { password: input.password };
  }
  return {
    values,
    ...(Object.keys(secretValues).length > 0 ? { secretValues } : {}),
  };
}

/** Deep merge (objects merge, everything else replaces), as Helm merges values files. */
export function mergeValues(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] =
      isObject(prev) && isObject(value) ? mergeValues(prev, value) : value;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const compiled = new WeakMap<object, ValidateFunction>();

/** One schema problem in words, naming the field (`values.storage.size: must match …`). */
function describe(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') {
    path.push(
      String((error.params as { missingProperty: string }).missingProperty),
    );
    return `values.${path.join('.')} is required`;
  }
  if (error.keyword === 'additionalProperties') {
    path.push(
      String(
        (error.params as { additionalProperty: string }).additionalProperty,
      ),
    );
    return `values.${path.join('.')}: the chart has no such value`;
  }
  const field = path.length ? `values.${path.join('.')}` : 'values';
  let message = error.message ?? 'is not allowed';
  if (error.keyword === 'enum') {
    message = `must be one of ${(
      error.params as { allowedValues: unknown[] }
    ).allowedValues
      .map(v => JSON.stringify(v))
      .join(', ')}`;
  }
  return `${field}: ${message}`;
}

/**
 * Checks the values Helm would get (the chart's defaults are Helm's business: only what the
 * person sets, with the secret values, is checked against the chart's values.schema.json) and
 * throws a 400 naming each field the schema refuses. Never echoes a value.
 * @public
 */
export function checkValues(
  schema: Record<string, unknown> | undefined,
  values: HelmValues,
  defaults: Record<string, unknown> = {},
): void {
  if (!schema) return;
  let validate = compiled.get(schema);
  if (!validate) {
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      throw new InputError(
        `the chart's values.schema.json cannot be used: ${
          (error as Error).message
        }`,
      );
    }
    compiled.set(schema, validate);
  }
  const all = mergeValues(
    mergeValues(defaults, values.values ?? {}),
    values.secretValues ?? {},
  );
  if (validate(all)) return;
  const problems = [...new Set((validate.errors ?? []).map(describe))].slice(
    0,
    10,
  );
  throw new InputError(
    `the chart refuses these values: ${problems.join('; ')}`,
  );
}
