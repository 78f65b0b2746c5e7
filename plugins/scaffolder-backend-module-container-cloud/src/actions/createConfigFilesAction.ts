import { createHash } from 'node:crypto';
import {
  ConfigFileSaveResult,
  configFileSetCreateSchema,
  ConfigFileSetList,
} from '@internal/plugin-container-cloud-common';
import { ConflictError } from '@backstage/errors';
import { componentRef, entityPageUrl, servicePath } from '../lib/entities';
import { parseContract, suiteAction } from './SuiteAction';

const sha256 = (text: string) =>
  createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * `container-cloud:storage:config:create`: a config file set (a ConfigMap, or a Secret, in every
 * cluster the service runs in) through the storage backend, as the user. Idempotent: a set of
 * that name with the same files (names and text, by checksum) is `unchanged`; with others the
 * step fails and nothing changes.
 */
export const createConfigFilesAction = suiteAction({
  id: 'container-cloud:storage:config:create',
  registryName: 'container-cloud-storage-config-create',
  title: 'Create a config file set for a service',
  description:
    'Creates a set of config files (version 1) and writes it to every cluster the service runs in. Acts as the calling user, under the config-files permission; idempotent; a dry run creates nothing.',
  input: z =>
    z.object({
      entityRef: z
        .string()
        .describe('the Component, e.g. component:default/payments-api'),
      name: z.string().describe("the set's name, e.g. app-config"),
      secret: z
        .boolean()
        .default(false)
        .describe('kept encrypted and written as a Secret'),
      files: z
        .array(z.object({ name: z.string(), content: z.string() }))
        .min(1),
      message: z.string().optional().describe("the version's message"),
    }),
  output: z =>
    z.object({
      set: z.string(),
      outcome: z.enum(['created', 'unchanged', 'would-create']),
      version: z.number().optional(),
      configFilesUrl: z.string().describe("the entity's Config files tab"),
    }),
  examples: [
    {
      description: 'an application.yaml for payments-api',
      input: {
        entityRef: 'component:default/payments-api',
        name: 'app-config',
        secret: false,
        files: [
          { name: 'application.yaml', content: 'server:\n  port: 8080\n' },
        ],
      },
    },
  ],
  async run({ input, credentials, dryRun, client, appBaseUrl }) {
    const component = componentRef(input.entityRef);
    const { entityRef, ...fields } = input;
    const body = parseContract(configFileSetCreateSchema, fields, 'file set');
    const path = `${servicePath(component)}/config-files`;
    const configFilesUrl = entityPageUrl(appBaseUrl, component, 'config-files');
    const { body: list } = await client.request<ConfigFileSetList>(
      credentials,
      'storage',
      'GET',
      path,
    );
    const existing = list.items.find(s => s.name === body.name);
    if (existing) {
      const wanted = body.files
        .map(f => `${f.name}:${sha256(f.content ?? '')}`)
        .sort();
      const found = existing.files.map(f => `${f.name}:${f.checksum}`).sort();
      if (
        existing.secret !== body.secret ||
        wanted.join('\n') !== found.join('\n')
      ) {
        throw new ConflictError(
          `${component.ref} has a config file set named '${
            body.name
          }' already (version ${existing.currentVersion}) with other ${
            existing.secret !== body.secret ? 'secrecy' : 'files'
          }; nothing was changed: edit it on the Config files tab, or choose another name`,
        );
      }
      return {
        set: body.name,
        outcome: 'unchanged' as const,
        version: existing.currentVersion,
        configFilesUrl,
      };
    }
    if (dryRun) {
      return {
        set: body.name,
        outcome: 'would-create' as const,
        configFilesUrl,
      };
    }
    const { body: result } = await client.request<ConfigFileSaveResult>(
      credentials,
      'storage',
      'POST',
      path,
      { body },
    );
    return {
      set: result.set.name,
      outcome: 'created' as const,
      version: result.set.currentVersion,
      configFilesUrl,
    };
  },
});
