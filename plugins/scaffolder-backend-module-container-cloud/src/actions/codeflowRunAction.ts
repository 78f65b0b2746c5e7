import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  CodeflowRun,
  CodeflowRunList,
  codeflowRunRequestSchema,
  CodeflowView,
  isFinishedRunStatus,
} from '@internal/plugin-container-cloud-common';
import { componentRef } from '../lib/entities';
import type { SuiteClient } from '../lib/SuiteClient';
import {
  codeflowPageUrl,
  codeflowsPath,
  requireCodeflow,
} from './codeflowShared';
import { parseContract, suiteAction } from './SuiteAction';

type Wait = 'none' | 'pushed' | 'rolled-out';

/** How far a run is, against what the step waits for. */
function reached(run: CodeflowRun, wait: Wait): boolean {
  if (wait === 'none') return true;
  if (run.status === 'succeeded') return true;
  if (wait === 'pushed') {
    return (
      run.status === 'awaiting-approval' ||
      run.steps.some(s => s.name === 'push' && s.status === 'succeeded')
    );
  }
  return false;
}

/** A finished run that did not succeed, in words (its reason, its failed step, who cancelled). */
export function runFailure(run: CodeflowRun, codeflow: string): string {
  const failedStep = run.steps.find(s => s.status === 'failed');
  const head = `run #${run.number} of codeflow ${codeflow}`;
  switch (run.status) {
    case 'cancelled':
      return `${head} was cancelled${
        run.cancelledBy ? ` by ${run.cancelledBy}` : ''
      }${run.reason ? `: ${run.reason}` : ''}`;
    case 'superseded':
      return `${head} was superseded by a newer push${
        run.reason ? `: ${run.reason}` : ''
      }`;
    default:
      return `${head} failed${
        failedStep ? ` at step ${failedStep.name}` : ''
      }: ${run.reason ?? 'the backend gave no reason'}${
        run.failureKind ? ` (${run.failureKind})` : ''
      }`;
  }
}

/** The commit the input names matches the run's (either may be abbreviated). */
function sameCommit(run: CodeflowRun, commit: string): boolean {
  const sha = run.commit?.sha?.toLowerCase();
  return Boolean(sha && (sha.startsWith(commit) || commit.startsWith(sha)));
}

async function findRunOfCommit(
  client: SuiteClient,
  credentials: BackstageCredentials,
  runsPath: string,
  commit: string,
  environment: string | undefined,
): Promise<CodeflowRun | undefined> {
  let before: number | null = null;
  const candidates: CodeflowRun[] = [];
  // the newest 300 runs: a template re-run comes soon after the first
  for (let page = 0; page < 3; page++) {
    const query: string = `?limit=100${before ? `&before=${before}` : ''}`;
    const { body }: { body: CodeflowRunList } =
      await client.request<CodeflowRunList>(
        credentials,
        'codeflow',
        'GET',
        `${runsPath}${query}`,
      );
    candidates.push(
      ...body.items.filter(
        r =>
          sameCommit(r, commit) &&
          (!environment || r.environment === environment),
      ),
    );
    before = body.nextBefore;
    if (!before) break;
  }
  // a succeeded run is reused; else one still going is followed; failed ones are built again
  return (
    candidates.find(r => r.status === 'succeeded') ??
    candidates.find(r => !isFinishedRunStatus(r.status))
  );
}

/** Logs each change of the run's status and steps, once. */
function progressLogger(logger: LoggerService) {
  const seen = new Map<string, string>();
  return (run: CodeflowRun) => {
    const say = (key: string, state: string, line: string) => {
      if (seen.get(key) === state) return;
      seen.set(key, state);
      logger.info(line);
    };
    say('run', run.status, `run #${run.number}: ${run.status}`);
    for (const step of run.steps) {
      if (step.status === 'pending') continue;
      const took =
        step.durationMs !== null
          ? ` in ${(step.durationMs / 1000).toFixed(1)} s`
          : '';
      say(
        `step ${step.name}`,
        step.status,
        `  ${step.name}: ${step.status}${
          step.status === 'running' ? '' : took
        }${step.detail ? ` (${step.detail})` : ''}`,
      );
    }
  };
}

function sleep(ms: number) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * `container-cloud:codeflow:run`: runs a service's codeflow (build → image → push → roll-out)
 * through the codeflow backend as the user, and waits as asked (`none`, `pushed`, `rolled-out`),
 * writing each step's change into the step's log. A failed run fails the step with the run's
 * reason in words. Idempotent by commit: a succeeded run of the same commit (and environment) is
 * reused, one still going is followed; nothing is built again.
 */
export function createCodeflowRunAction(options: { pollIntervalMs: number }) {
  return suiteAction({
    id: 'container-cloud:codeflow:run',
    registryName: 'container-cloud-codeflow-run',
    title: "Run a service's codeflow",
    description:
      "Builds a branch or tag (or one commit of it) with a service's codeflow, pushes the image and rolls the environment's targets to it, waiting until pushed or rolled out when asked; fails with the run's reason in words. Acts as the calling user, under the codeflow-run permission; a succeeded run of the same commit is reused, not built again; a dry run starts nothing.",
    input: z =>
      z.object({
        entityRef: z
          .string()
          .describe('the Component, e.g. component:default/payments-api'),
        codeflow: z
          .string()
          .describe(
            'the codeflow, by name (e.g. build-and-deploy) or id (cf-…)',
          ),
        ref: z
          .object({ kind: z.enum(['branch', 'tag']), name: z.string() })
          .optional()
          .describe("the branch or tag (default: the codeflow's branch)"),
        commit: z
          .string()
          .optional()
          .describe(
            'a commit of that ref (7 to 40 hex digits); a succeeded run of it is reused',
          ),
        environment: z
          .string()
          .optional()
          .describe("the targets' environment to roll (default: the only one)"),
        wait: z
          .enum(['none', 'pushed', 'rolled-out'])
          .default('rolled-out')
          .describe(
            'none: return once queued; pushed: once the image is in the registry; rolled-out: once the targets run it',
          ),
        timeoutMinutes: z
          .number()
          .int()
          .min(1)
          .max(180)
          .default(30)
          .describe(
            'give up waiting after this long (the run goes on; the step fails)',
          ),
      }),
    output: z =>
      z.object({
        runId: z.string().describe('the run id (run-…); empty in a dry run'),
        number: z.number().int().describe('the build number; 0 in a dry run'),
        status: z.string().describe("the run's status when the step ended"),
        outcome: z.enum(['started', 'followed', 'reused', 'would-run']),
        image: z.string().describe('the image pushed, once pushed'),
        imageDigest: z.string(),
        commit: z.string().describe('the commit built, once fetched'),
        runUrl: z.string().describe("the entity's Codeflow tab, at this run"),
      }),
    examples: [
      {
        description: "build main's head of payments-api and roll it to test",
        input: {
          entityRef: 'component:default/payments-api',
          codeflow: 'build-and-deploy',
          ref: { kind: 'branch', name: 'main' },
          environment: 'test',
          wait: 'rolled-out',
          timeoutMinutes: 30,
        },
      },
    ],
    async run({ input, credentials, dryRun, client, logger, appBaseUrl }) {
      const component = componentRef(input.entityRef);
      const request = parseContract(
        codeflowRunRequestSchema,
        {
          ref: input.ref,
          commit: input.commit?.toLowerCase(),
          environment: input.environment,
        },
        'run request',
      );
      const codeflow = await requireCodeflow(
        client,
        credentials,
        component,
        input.codeflow,
      );
      const runsPath = `${codeflowsPath(component)}/${codeflow.id}/runs`;
      const pageUrl = codeflowPageUrl(appBaseUrl, component);
      const output = (run: CodeflowRun, outcome: string) => ({
        runId: run.id,
        number: run.number,
        status: run.status,
        outcome: outcome as 'started' | 'followed' | 'reused',
        image: run.image ?? '',
        imageDigest: run.imageDigest ?? '',
        commit: run.commit?.sha ?? '',
        runUrl: `${pageUrl}?run=${encodeURIComponent(run.id)}`,
      });

      const earlier = request.commit
        ? await findRunOfCommit(
            client,
            credentials,
            runsPath,
            request.commit,
            request.environment,
          )
        : undefined;
      if (earlier?.status === 'succeeded') {
        logger.info(
          `run #${earlier.number} already built ${earlier.commit?.sha} and rolled it out (${earlier.image}): nothing built again`,
        );
        return output(earlier, 'reused');
      }
      if (dryRun) {
        checkManualRun(codeflow, request.environment);
        logger.info(
          earlier
            ? `would follow run #${earlier.number} (${earlier.status}) of codeflow ${codeflow.name}`
            : `would run codeflow ${codeflow.name} (${
                request.ref
                  ? `${request.ref.kind} ${request.ref.name}`
                  : `${codeflow.ref.kind} ${codeflow.ref.pattern}`
              }${request.commit ? ` at ${request.commit}` : ''})`,
        );
        return {
          runId: earlier?.id ?? '',
          number: earlier?.number ?? 0,
          status: earlier?.status ?? '',
          outcome: 'would-run' as const,
          image: '',
          imageDigest: '',
          commit: request.commit ?? '',
          runUrl: pageUrl,
        };
      }

      let run: CodeflowRun;
      let outcome: 'started' | 'followed';
      if (earlier) {
        run = earlier;
        outcome = 'followed';
        logger.info(
          `run #${run.number} of this commit is ${run.status}: following it instead of building again`,
        );
      } else {
        ({ body: run } = await client.request<CodeflowRun>(
          credentials,
          'codeflow',
          'POST',
          runsPath,
          { body: request },
        ));
        outcome = 'started';
        logger.info(
          `run #${run.number} of codeflow ${codeflow.name} queued (${run.ref.kind} ${run.ref.name}, environment ${run.environment}): ${pageUrl}?run=${run.id}`,
        );
      }

      const progress = progressLogger(logger);
      const deadline = Date.now() + input.timeoutMinutes * 60_000;
      for (;;) {
        progress(run);
        if (isFinishedRunStatus(run.status) && run.status !== 'succeeded') {
          for (const line of run.lastLines) logger.error(`  | ${line}`);
          throw new Error(runFailure(run, codeflow.name));
        }
        if (reached(run, input.wait)) return output(run, outcome);
        if (Date.now() >= deadline) {
          throw new Error(
            `run #${run.number} of codeflow ${codeflow.name} is still ${run.status} after ${input.timeoutMinutes} min (waiting until ${input.wait}); it goes on: ${pageUrl}?run=${run.id}`,
          );
        }
        await sleep(options.pollIntervalMs);
        ({ body: run } = await client.request<CodeflowRun>(
          credentials,
          'codeflow',
          'GET',
          `${runsPath}/${run.id}`,
        ));
      }
    },
  });
}

/** What the backend would refuse before queuing, said in a dry run. */
function checkManualRun(codeflow: CodeflowView, environment?: string) {
  if (!codeflow.triggers.manual) {
    throw new InputError(
      `codeflow ${codeflow.name} does not allow manual runs (triggers.manual is false)`,
    );
  }
  const environments = [...new Set(codeflow.targets.map(t => t.environment))];
  if (environment && !environments.includes(environment)) {
    throw new InputError(
      `environment: ${environment} is none of codeflow ${
        codeflow.name
      }'s targets' environments (${environments.join(', ') || 'none'})`,
    );
  }
}

/** The action as the module registers it: the run's state read every 2 seconds. */
export const codeflowRunAction = createCodeflowRunAction({
  pollIntervalMs: 2000,
});
