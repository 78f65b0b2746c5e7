import {
  codeflowDefinitionSchema,
  CodeflowDefinition,
  CodeflowView,
} from '@internal/plugin-container-cloud-common';
import { ConflictError } from '@backstage/errors';
import { componentRef } from '../lib/entities';
import {
  canonical,
  codeflowDefinitionInput,
  codeflowPageUrl,
  codeflowsPath,
  findCodeflow,
} from './codeflowShared';
import { parseContract, suiteAction } from './SuiteAction';

const DEFINITION_FIELDS = Object.keys(codeflowDefinitionSchema.shape) as Array<
  keyof CodeflowDefinition
>;

/** The fields of a saved codeflow that differ from a definition, by name. */
function differingFields(
  saved: CodeflowView,
  wanted: CodeflowDefinition,
): string[] {
  return DEFINITION_FIELDS.filter(
    field =>
      canonical((saved as Record<string, unknown>)[field]) !==
      canonical(wanted[field]),
  );
}

/**
 * `container-cloud:codeflow:create`: a codeflow of a service (how its code is built into an
 * image and rolled out), saved through the codeflow backend as the user. Idempotent: a codeflow
 * of that name with the same definition is `unchanged`; one with another definition fails the
 * step naming the fields that differ and nothing is changed — unless the input says `update:
 * true`, then it is saved from the version just read (someone saving in between makes the
 * backend answer 409, and the step fails with it).
 */
export const codeflowCreateAction = suiteAction({
  id: 'container-cloud:codeflow:create',
  registryName: 'container-cloud-codeflow-create',
  title: 'Create a codeflow for a service',
  description:
    'Saves a codeflow of a catalog Component: the repository and ref it builds, the build image and script, the artifact and how the image starts, and the services and clusters rolled to each new image. Acts as the calling user, under the codeflow-edit permission; idempotent (the same codeflow is unchanged; another one of that name is refused unless update is true); a dry run saves nothing.',
  input: z =>
    z.object({
      entityRef: z
        .string()
        .describe('the Component, e.g. component:default/payments-api'),
      ...codeflowDefinitionInput(z),
      update: z
        .boolean()
        .default(false)
        .describe(
          'a codeflow of that name with another definition is saved over (from the version read); default: the step fails and nothing changes',
        ),
    }),
  output: z =>
    z.object({
      id: z
        .string()
        .describe('the codeflow id (cf-…); empty in a dry run of a new one'),
      name: z.string(),
      outcome: z.enum([
        'created',
        'unchanged',
        'updated',
        'would-create',
        'would-update',
      ]),
      created: z.boolean().describe('true when this step created it'),
      version: z.number().int().optional(),
      codeflowUrl: z.string().describe("the entity's Codeflow tab"),
    }),
  examples: [
    {
      description:
        'payments-api built with Node 22 and rolled to its test placements',
      input: {
        entityRef: 'component:default/payments-api',
        name: 'build-and-deploy',
        repositoryUrl: 'https://git.example.com/payments/payments-api.git',
        credentials: null,
        ref: { kind: 'branch', pattern: 'main' },
        buildImage: 'node-22',
        buildScript: [
          ['npm', 'ci'],
          ['npm', 'test'],
          ['npm', 'run', 'build'],
        ],
        artifactPath: 'dist',
        deployPath: '/app',
        startCommand: ['node', 'server.js'], // dist's contents are in /app
        port: 8080,
        env: [],
        targets: [
          {
            service: 'component:default/payments-api',
            environment: 'test',
            placements: [{ cluster: 'local-a', namespace: 'payments' }],
          },
        ],
        triggers: { manual: true, webhook: { enabled: false, rules: [] } },
      },
    },
  ],
  async run({ input, credentials, dryRun, client, logger, appBaseUrl }) {
    const component = componentRef(input.entityRef);
    const { entityRef, update, ...fields } = input;
    const definition = parseContract(
      codeflowDefinitionSchema,
      fields,
      'codeflow',
    );
    const codeflowUrl = codeflowPageUrl(appBaseUrl, component);
    const path = codeflowsPath(component);
    const existing = await findCodeflow(
      client,
      credentials,
      component,
      definition.name,
    );
    const answer = (
      view: Pick<CodeflowView, 'id' | 'name'> & { version?: number },
      outcome:
        | 'created'
        | 'unchanged'
        | 'updated'
        | 'would-create'
        | 'would-update',
    ) => ({
      id: view.id,
      name: view.name,
      outcome,
      created: outcome === 'created',
      ...(view.version !== undefined ? { version: view.version } : {}),
      codeflowUrl,
    });

    if (existing) {
      const differences = differingFields(existing, definition);
      if (differences.length === 0) {
        logger.info(
          `codeflow ${existing.name} (${existing.id}) of ${component.ref} is already there, unchanged`,
        );
        return answer(existing, 'unchanged');
      }
      if (!update) {
        throw new ConflictError(
          `${component.ref} has a codeflow named '${
            definition.name
          }' already (${existing.id}, version ${
            existing.version
          }, last saved by ${existing.updatedBy}) whose ${differences.join(
            ', ',
          )} differ; nothing was changed: edit it on the Codeflow tab, choose another name, or set update: true`,
        );
      }
      if (dryRun) {
        logger.info(
          `would update codeflow ${existing.name} (${
            existing.id
          }) from version ${existing.version}: ${differences.join(', ')}`,
        );
        return answer(existing, 'would-update');
      }
      const { body: saved } = await client.request<CodeflowView>(
        credentials,
        'codeflow',
        'PUT',
        `${path}/${existing.id}`,
        { body: { ...definition, version: existing.version } },
      );
      logger.info(
        `codeflow ${saved.name} (${saved.id}) updated to version ${
          saved.version
        }: ${differences.join(', ')}`,
      );
      return answer(saved, 'updated');
    }

    if (dryRun) {
      logger.info(
        `would create codeflow ${definition.name} of ${component.ref}, building ${definition.repositoryUrl} (${definition.ref.kind} ${definition.ref.pattern}) with ${definition.buildImage}`,
      );
      return answer({ id: '', name: definition.name }, 'would-create');
    }
    let created: CodeflowView;
    try {
      ({ body: created } = await client.request<CodeflowView>(
        credentials,
        'codeflow',
        'POST',
        path,
        { body: definition },
      ));
    } catch (error) {
      // another run of the template saved that name in between: the same codeflow is fine
      if ((error as Error).name !== 'ConflictError') throw error;
      const raced = await findCodeflow(
        client,
        credentials,
        component,
        definition.name,
      );
      if (!raced || differingFields(raced, definition).length > 0) throw error;
      return answer(raced, 'unchanged');
    }
    logger.info(
      `codeflow ${created.name} (${created.id}) of ${component.ref} created`,
    );
    return answer(created, 'created');
  },
});
