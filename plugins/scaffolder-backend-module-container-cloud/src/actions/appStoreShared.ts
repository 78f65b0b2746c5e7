import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  appStoreOwnerSchema,
  InstanceDetail,
  instanceParamsSchema,
} from '@internal/plugin-container-cloud-common';
import type { SuiteClient } from '../lib/SuiteClient';
import { parseContract } from './SuiteAction';

/** The instance an action names: a Helm release's cluster, namespace and name. */
export interface InstanceKey {
  cluster: string;
  namespace: string;
  name: string;
}

/** Checks the placement and name with the contract (a 400 naming the field otherwise). */
export function instanceKey(input: InstanceKey): InstanceKey {
  return parseContract(
    instanceParamsSchema,
    { cluster: input.cluster, namespace: input.namespace, name: input.name },
    'instance',
  );
}

/** The app-store backend's path of one instance. */
export function instancePath(key: InstanceKey): string {
  return `/instances/${[key.cluster, key.namespace, key.name]
    .map(encodeURIComponent)
    .join('/')}`;
}

/** The instance's page in the app, for a template's summary. */
export function instancePageUrl(appBaseUrl: string, key: InstanceKey): string {
  return `${appBaseUrl}/app-store${instancePath(key)}`;
}

/**
 * `payments-api`, `default/payments-api`, `component:default/payments-api` or
 * `group:default/team-payments`, in the full form the contract takes (kind:namespace/name). An
 * instance belongs to a Component or a Group; anything else is a 400 naming the field.
 */
export function ownerRef(field: string, entityRef: string): string {
  let parsed;
  try {
    parsed = parseEntityRef(entityRef, {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
  } catch (error) {
    throw new InputError(`${field}: ${(error as Error).message}`);
  }
  const kind = parsed.kind.toLocaleLowerCase('en-US');
  if (kind !== 'component' && kind !== 'group') {
    throw new InputError(
      `${field}: ${entityRef} is a ${parsed.kind}; an app store instance belongs to a Component or a Group`,
    );
  }
  const ref = `${kind}:${parsed.namespace}/${parsed.name}`;
  parseContract(appStoreOwnerSchema, ref, field);
  return ref;
}

/** Entity references compare without regard to case, as the catalog compares them. */
export function sameRef(a: string, b: string): boolean {
  return a.toLocaleLowerCase('en-US') === b.toLocaleLowerCase('en-US');
}

/** An instance that is gone: uninstalled or expired (its row is kept as a record). */
export function isGone(detail: InstanceDetail): boolean {
  return detail.phase === 'deleted' || detail.phase === 'expired';
}

/** The instance as the backend has it now, or undefined when it has none of that name. */
export async function findInstance(
  client: SuiteClient,
  credentials: BackstageCredentials,
  key: InstanceKey,
): Promise<InstanceDetail | undefined> {
  const found = await client.request<InstanceDetail>(
    credentials,
    'app-store',
    'GET',
    instancePath(key),
    { accept: [404] },
  );
  if (found.status === 404) return undefined;
  return isGone(found.body) ? undefined : found.body;
}

/** The connection details an action outputs: never the password, only its Secret's name. */
export function connectionOutputs(detail: InstanceDetail | undefined) {
  const connection = detail?.connection;
  if (!connection) return {};
  return {
    host: connection.host,
    port: connection.port,
    ...(connection.user !== undefined ? { user: connection.user } : {}),
    ...(connection.passwordSecret
      ? {
          passwordSecret: connection.passwordSecret.name,
          passwordSecretKey: connection.passwordSecret.key,
        }
      : {}),
  };
}

/** One line of an instance's progress, as the step log shows it. */
function progressLine(detail: InstanceDetail): string {
  const steps = detail.progress
    .map(p => `${p.step} ${p.state}${p.message ? `: ${p.message}` : ''}`)
    .join('; ');
  return `${detail.phase} (pods ${detail.ready.ready}/${detail.ready.total}${
    detail.simulated ? ', simulated on kwok nodes' : ''
  })${steps ? ` — ${steps}` : ''}`;
}

/** Why an instance failed, in the backend's words: the resource, the reason and its events. */
export function failureText(detail: InstanceDetail): string {
  const failure = detail.failure;
  if (!failure) return `its phase is ${detail.phase}`;
  return [
    failure.resource
      ? `${failure.resource}: ${failure.reason}`
      : failure.reason,
    ...failure.events.slice(-5),
  ].join('; ');
}

/**
 * Polls the instance until it is ready, writing each change of its progress (Helm, then the
 * pods, then ready) to the step's log. A failed install fails the step with the failing resource,
 * the reason and its events; an instance not ready within the bound fails it with its last
 * progress (the instance stays, for the person to look at or remove).
 */
export async function waitForReady(options: {
  client: SuiteClient;
  credentials: BackstageCredentials;
  key: InstanceKey;
  logger: LoggerService;
  timeoutSeconds: number;
  /** the longest pause between two looks (default 2 s) */
  intervalMs?: number;
}): Promise<InstanceDetail> {
  const { client, credentials, key, logger, timeoutSeconds } = options;
  const intervalMs = options.intervalMs ?? 2000;
  // soon after the install the state changes fast: look again after 250 ms, then less often
  let pause = Math.min(250, intervalMs);
  const deadline = Date.now() + timeoutSeconds * 1000;
  const where = `${key.cluster}/${key.namespace}/${key.name}`;
  let last = '';
  for (;;) {
    const { body: detail } = await client.request<InstanceDetail>(
      credentials,
      'app-store',
      'GET',
      instancePath(key),
    );
    const line = progressLine(detail);
    if (line !== last) {
      logger.info(`instance ${where}: ${line}`);
      last = line;
    }
    if (detail.phase === 'ready') return detail;
    if (detail.phase === 'failed' || isGone(detail)) {
      throw new Error(
        `instance ${where} is ${detail.phase}: ${failureText(
          detail,
        )}. Retry or remove it on its App store page.`,
      );
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `instance ${where} was not ready within ${timeoutSeconds} s; it is still there (${line}). Look at it on its App store page, or uninstall it.`,
      );
    }
    await sleep(pause);
    pause = Math.min(pause * 2, intervalMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
