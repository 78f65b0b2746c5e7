import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  CODEFLOW_ID_PATTERN,
  CodeflowList,
  CodeflowView,
} from '@internal/plugin-container-cloud-common';
import type { z as z3 } from 'zod/v3';
import { ComponentRef, entityPageUrl, servicePath } from '../lib/entities';
import type { SuiteClient } from '../lib/SuiteClient';

/** The codeflow backend's path of a service's codeflows. */
export function codeflowsPath(component: ComponentRef): string {
  return `${servicePath(component)}/codeflows`;
}

/** The entity's Codeflow tab (the page of its codeflows and runs). */
export function codeflowPageUrl(
  appBaseUrl: string,
  component: ComponentRef,
): string {
  return entityPageUrl(appBaseUrl, component, 'codeflow');
}

/** JSON with keys in order and undefined/null optional fields left out, to compare by content. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A service's codeflow by id (`cf-…`) or by name, read as the user; undefined when the service
 * has none of that name (an id that is not there is the backend's 404).
 */
export async function findCodeflow(
  client: SuiteClient,
  credentials: BackstageCredentials,
  component: ComponentRef,
  codeflow: string,
): Promise<CodeflowView | undefined> {
  if (CODEFLOW_ID_PATTERN.test(codeflow)) {
    const { body } = await client.request<CodeflowView>(
      credentials,
      'codeflow',
      'GET',
      `${codeflowsPath(component)}/${codeflow}`,
    );
    return body;
  }
  const { body } = await client.request<CodeflowList>(
    credentials,
    'codeflow',
    'GET',
    codeflowsPath(component),
  );
  return body.items.find(c => c.name === codeflow);
}

/** As findCodeflow, but a codeflow that is not there fails the step in words. */
export async function requireCodeflow(
  client: SuiteClient,
  credentials: BackstageCredentials,
  component: ComponentRef,
  codeflow: string,
): Promise<CodeflowView> {
  if (!codeflow) throw new InputError('codeflow: name a codeflow (or its id)');
  const found = await findCodeflow(client, credentials, component, codeflow);
  if (!found) {
    throw new NotFoundError(
      `${component.ref} has no codeflow named '${codeflow}' (create it first: container-cloud:codeflow:create)`,
    );
  }
  return found;
}

/** The definition's fields as the template editor and MCP clients see them (zod v3). */
export function codeflowDefinitionInput(z: typeof z3) {
  const argv = z.array(z.string()).min(1);
  const placement = z.object({ cluster: z.string(), namespace: z.string() });
  return {
    name: z
      .string()
      .describe(
        'the codeflow name, e.g. build-and-deploy (unique per service)',
      ),
    repositoryUrl: z
      .string()
      .describe(
        'the git repository, e.g. https://git.example.com/team/app.git (no password in it)',
      ),
    credentials: z
      .string()
      .nullable()
      .default(null)
      .describe(
        'the NAME of a configured credential for the repository, or null',
      ),
    ref: z
      .object({
        kind: z.enum(['branch', 'tag']),
        pattern: z.string(),
      })
      .default({ kind: 'branch', pattern: 'main' })
      .describe('the branch (or branch/tag pattern) it builds'),
    buildImage: z.string().describe('a build image id, e.g. node-22'),
    buildScript: z
      .array(argv)
      .describe(
        'commands run in order, each an argv list: [["npm","ci"],["npm","test"],["npm","run","build"]]',
      ),
    artifactPath: z
      .string()
      .describe('what the build leaves to copy into the image, e.g. dist'),
    deployPath: z
      .string()
      .default('/app')
      .describe('where the artifact goes in the image'),
    startCommand: argv.describe(
      'how the image starts, as argv, e.g. ["node","dist/server.js"]',
    ),
    port: z.number().int().describe('the port the app listens on'),
    env: z
      .array(z.object({ name: z.string(), value: z.string() }))
      .default([])
      .describe("the image's environment variables"),
    preprocessingScript: z
      .array(argv)
      .optional()
      .describe(
        'commands run once on the runtime base (its image is reused while unchanged)',
      ),
    customDockerfile: z
      .string()
      .optional()
      .describe('a Dockerfile replacing the generated one'),
    targets: z
      .array(
        z.object({
          service: z.string(),
          environment: z.string(),
          placements: z.array(placement).min(1),
        }),
      )
      .default([])
      .describe(
        'the services rolled to the new image: {service, environment, placements}',
      ),
    triggers: z
      .object({
        manual: z.boolean(),
        webhook: z.object({
          enabled: z.boolean(),
          rules: z.array(
            z.object({
              ref: z.object({
                kind: z.enum(['branch', 'tag']),
                pattern: z.string(),
              }),
              environment: z.string(),
              approval: z.boolean(),
            }),
          ),
        }),
      })
      .default({ manual: true, webhook: { enabled: false, rules: [] } })
      .describe('manual runs, and webhook rules per environment'),
  };
}
