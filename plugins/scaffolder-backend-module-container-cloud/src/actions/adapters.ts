import { createHash } from 'node:crypto';
import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  createTemplateAction,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { InputError } from '@backstage/errors';
import { z as z3 } from 'zod/v3';
import type { SuiteClient } from '../lib/SuiteClient';
import type { SuiteAction } from './SuiteAction';

/** What both adapters need to run a suite action. */
export interface SuiteActionDeps {
  client: SuiteClient;
  appBaseUrl: string;
}

function run(
  action: SuiteAction<any, any>,
  deps: SuiteActionDeps,
  input: unknown,
  credentials: BackstageCredentials,
  dryRun: boolean,
  logger: LoggerService,
) {
  return action.run({
    input,
    credentials,
    dryRun,
    logger,
    client: deps.client,
    appBaseUrl: deps.appBaseUrl,
  });
}

/**
 * A suite action as a scaffolder action: it acts as the user who runs the template
 * (`getInitiatorCredentials`), supports the template editor's dry run, and keeps its result in a
 * checkpoint, so a task resumed after a restart does not do it again.
 */
export function scaffolderAction(
  action: SuiteAction<any, any>,
  deps: SuiteActionDeps,
): TemplateAction<any, any, 'v2'> {
  return createTemplateAction({
    id: action.id,
    description: `${action.title}. ${action.description}`,
    examples: action.examples.map(example => ({
      description: example.description,
      example: JSON.stringify(
        { steps: [{ action: action.id, id: 'step', input: example.input }] },
        null,
        2,
      ),
    })),
    supportsDryRun: true,
    schema: { input: action.input, output: action.output },
    async handler(ctx) {
      const credentials = await ctx.getInitiatorCredentials();
      const dryRun = ctx.isDryRun ?? false;
      // the scaffolder checks the input against the JSON Schema, which fills in no defaults
      const parsed = action.input(z3).safeParse(ctx.input);
      if (!parsed.success) {
        throw new InputError(
          `invalid input to ${action.id}: ${parsed.error.issues
            .map(
              (i: z3.ZodIssue) =>
                `${i.path.join('.') || 'input'}: ${i.message}`,
            )
            .join('; ')}`,
        );
      }
      const go = () =>
        run(action, deps, parsed.data, credentials, dryRun, ctx.logger);
      const output = dryRun
        ? await go()
        : await ctx.checkpoint({
            key: `${action.id}:${createHash('sha256')
              .update(JSON.stringify(ctx.input))
              .digest('hex')}`,
            // a JSON object: what the backends answered
            fn: async () => (await go()) as any,
          });
      for (const [name, value] of Object.entries(output as object)) {
        ctx.output(name, value as any);
      }
    },
  }) as TemplateAction<any, any, 'v2'>;
}

/**
 * A suite action in the actions registry (served to MCP clients by mcp-actions-backend): run
 * with the caller's own credentials, so the backend's permission check is theirs.
 */
export function registerSuiteAction(
  registry: ActionsRegistryService,
  action: SuiteAction<any, any>,
  deps: SuiteActionDeps,
) {
  registry.register({
    name: action.registryName,
    title: action.title,
    description: action.description,
    attributes: {
      destructive: action.destructive ?? false,
      idempotent: true,
      readOnly: false,
    },
    schema: {
      input: z =>
        action.input(z).extend({
          dryRun: z
            .boolean()
            .optional()
            .describe('report what would be done, change nothing'),
        }),
      output: action.output,
    },
    async action({ input, credentials, logger }) {
      const { dryRun, ...rest } = input as { dryRun?: boolean };
      return {
        output: await run(
          action,
          deps,
          rest,
          credentials,
          dryRun ?? false,
          logger,
        ),
      };
    },
  });
}
