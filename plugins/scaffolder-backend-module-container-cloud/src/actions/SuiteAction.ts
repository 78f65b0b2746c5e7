import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { z as z4 } from 'zod';
import type { z } from 'zod/v3';
import type { SuiteClient } from '../lib/SuiteClient';

/** What an operation gets, whether a template step or an MCP client called it. */
export interface SuiteActionContext<TInput> {
  input: TInput;
  /** the user who runs the template (or calls the action): every backend call acts as them */
  credentials: BackstageCredentials;
  /** report what would be done; change nothing */
  dryRun: boolean;
  logger: LoggerService;
  client: SuiteClient;
  /** `app.baseUrl`, for the links of a template's summary */
  appBaseUrl: string;
}

/**
 * One operation of the suite, described once and offered twice: as a scaffolder action (`id`)
 * and in Backstage's actions registry (`registryName`, which MCP clients list and call). Its
 * schemas are zod v3, as both of those read them (into the template editor's and the MCP
 * client's JSON Schema); inside, the input is parsed again with the backend's own contract (zod
 * v4, container-cloud-common) for the same messages the page gets.
 */
export interface SuiteAction<
  TInput extends z.AnyZodObject = z.AnyZodObject,
  TOutput extends z.AnyZodObject = z.AnyZodObject,
> {
  id: string;
  registryName: string;
  title: string;
  description: string;
  /** it removes something (the actions registry tells MCP clients so); default false */
  destructive?: boolean;
  input: (zod: typeof z) => TInput;
  output: (zod: typeof z) => TOutput;
  examples: Array<{ description: string; input: z.input<TInput> }>;
  run(ctx: SuiteActionContext<z.output<TInput>>): Promise<z.output<TOutput>>;
}

/** Declares a suite action with its `run` typed by its schemas. */
export function suiteAction<
  TInput extends z.AnyZodObject,
  TOutput extends z.AnyZodObject,
>(action: SuiteAction<TInput, TOutput>): SuiteAction<TInput, TOutput> {
  return action;
}

/** Parses with a contract schema; a 400 (InputError) naming each field otherwise. */
export function parseContract<TSchema extends z4.ZodType>(
  schema: TSchema,
  value: unknown,
  what: string,
): z4.output<TSchema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map(issue =>
    issue.path.length
      ? `${issue.path.map(String).join('.')}: ${issue.message}`
      : issue.message,
  );
  throw new InputError(`invalid ${what}: ${problems.join('; ')}`);
}
