/**
 * The wire contract of a codeflow's runs (the codeflow backend's `runs` part): starting a run by
 * the button, its history, one run with its steps, cancelling, approving a roll-out that waits for
 * an owner, and its log (live as server-sent events, or whole as a download).
 */
import { z } from 'zod';
import { codeflowParamsSchema } from './codeflow';

/**
 * Where a run stands:
 * - `queued`: waiting for a free build slot (or behind an earlier run of the same codeflow);
 * - `running`: a step is running;
 * - `awaiting-approval`: built and pushed, the roll-out waits for an owner's approval (a webhook
 *   rule with `approval: true`);
 * - `succeeded`, `failed`, `cancelled`;
 * - `superseded`: a newer push of the same codeflow replaced it before it finished
 *   (`containerCloud.codeflow.runs.onNewPush: supersede`).
 * @public
 */
export const CODEFLOW_RUN_STATUSES = [
  'queued',
  'running',
  'awaiting-approval',
  'succeeded',
  'failed',
  'cancelled',
  'superseded',
] as const;
/** @public */
export const codeflowRunStatusSchema = z.enum(CODEFLOW_RUN_STATUSES);
/** @public */
export type CodeflowRunStatus = z.infer<typeof codeflowRunStatusSchema>;

/** A run that can change no more. @public */
export function isFinishedRunStatus(status: CodeflowRunStatus): boolean {
  return (
    status === 'succeeded' ||
    status === 'failed' ||
    status === 'cancelled' ||
    status === 'superseded'
  );
}

/**
 * The steps of a run, in order. `fetch` the code into the codeflow's cache; `preprocess` the
 * pre-processing image (built, or reused while its key is the same); `build` the build script in
 * the build image as a non-root user; `image` the image assembled from the Dockerfile; `push` it
 * to the registry; `rollout` each target placement (one step per cluster and namespace, named
 * `rollout <cluster>/<namespace>`), each waiting until the cluster runs the new image.
 * @public
 */
export const BUILD_STEP_NAMES = [
  'fetch',
  'preprocess',
  'build',
  'image',
  'push',
] as const;
/** @public */
export type BuildStepName = (typeof BUILD_STEP_NAMES)[number];

/** @public */
export const codeflowStepStatusSchema = z.enum([
  'pending',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
]);
/** @public */
export type CodeflowStepStatus = z.infer<typeof codeflowStepStatusSchema>;

/** One step of a run. @public */
export const codeflowRunStepSchema = z.object({
  /** a build step's name, or `rollout <cluster>/<namespace>` */
  name: z.string(),
  status: codeflowStepStatusSchema,
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  /** what happened, in words: "reused pre-processing image 3f2a…", "pushed …@sha256:…" */
  detail: z.string().nullable(),
});
/** @public */
export type CodeflowRunStep = z.infer<typeof codeflowRunStepSchema>;

/**
 * Why a run failed, when it is recognisable: the page words it and shows the failed step's last
 * lines. `rollout-stuck` carries the services backend's diagnosis in `reason`.
 * @public
 */
export const codeflowFailureKindSchema = z.enum([
  'fetch-failed',
  'compile-error',
  'test-failure',
  'build-failed',
  'push-denied',
  'rollout-refused',
  'rollout-stuck',
  'timeout',
  'executor-lost',
  'other',
]);
/** @public */
export type CodeflowFailureKind = z.infer<typeof codeflowFailureKindSchema>;

/** The commit a run builds (known once fetched). @public */
export const codeflowCommitSchema = z.object({
  sha: z.string(),
  message: z.string(),
  author: z.string(),
});
/** @public */
export type CodeflowCommit = z.infer<typeof codeflowCommitSchema>;

/** A run as the API answers it. @public */
export const codeflowRunSchema = z.object({
  id: z.string(),
  codeflowId: z.string(),
  /** the Component the codeflow belongs to */
  service: z.string(),
  /** the build number, per codeflow, from 1 */
  number: z.number().int(),
  status: codeflowRunStatusSchema,
  /** `manual`, or the webhook's trigger (`gitlab-push`, `gitlab-tag`, `gitlab-merge`, `gitea-push`, `github-push`) */
  trigger: z.string(),
  /** who started it: a user ref, or `webhook:<provider>` */
  requestedBy: z.string(),
  /** whose authority the roll-out uses: the user who started it, or the codeflow's owner for webhooks */
  actingFor: z.string(),
  /** the person the git host named as the pusher (webhooks), else null */
  pushedBy: z.string().nullable(),
  ref: z.object({ kind: z.enum(['branch', 'tag']), name: z.string() }),
  /** the commit asked for (a webhook's, or the button's), or the one the fetch found */
  commit: codeflowCommitSchema.nullable(),
  /** the environment whose targets are rolled */
  environment: z.string(),
  /** which executor builds it: local, kubernetes or jenkins */
  executor: z.string(),
  /** the image pushed (`<repository>:<tag>`), and its digest, once pushed */
  image: z.string().nullable(),
  imageDigest: z.string().nullable(),
  /** true: the pre-processing image was reused; false: built; null: the codeflow has none */
  preprocessingReused: z.boolean().nullable(),
  steps: z.array(codeflowRunStepSchema),
  /** why it failed or was cancelled, in plain words; null while it goes well */
  reason: z.string().nullable(),
  failureKind: codeflowFailureKindSchema.nullable(),
  /** the failed step's last lines (at most 30), for the history row */
  lastLines: z.array(z.string()),
  /** who cancelled or approved it */
  cancelledBy: z.string().nullable(),
  approvedBy: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  /** bytes of log kept, and whether the cap (`runs.maxLogBytes`) cut it */
  logBytes: z.number().int(),
  logTruncated: z.boolean(),
});
/** @public */
export type CodeflowRun = z.infer<typeof codeflowRunSchema>;

/** `/services/:namespace/:name/codeflows/:id/runs/:runId` @public */
export const codeflowRunParamsSchema = codeflowParamsSchema.extend({
  runId: z
    .string()
    .regex(/^run-[0-9a-f]{24}$/, 'a run id looks like run-<24 hex digits>'),
});
/** @public */
export type CodeflowRunParams = z.infer<typeof codeflowRunParamsSchema>;

/** The button: build a branch or tag (its head, or one commit of it) and roll one environment. @public */
export const codeflowRunRequestSchema = z
  .object(
    {
      /** default: the codeflow's ref when it names a branch (not a pattern) */
      ref: z
        .object({
          kind: z.enum(['branch', 'tag'], {
            error: 'ref.kind is branch or tag',
          }),
          name: z
            .string({ error: 'ref.name is a branch or tag name' })
            .min(1, 'ref.name is a branch or tag name')
            .max(255, 'ref.name has at most 255 characters')
            .regex(
              /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9._\/-]+(?<![./])$/,
              'ref.name is a git branch or tag name: letters, digits, . _ / -, not starting with -, no ..',
            ),
        })
        .strict()
        .optional(),
      /** a commit of that ref (7 to 40 hex digits); default its head */
      commit: z
        .string({ error: 'commit is a commit sha' })
        .regex(/^[0-9a-f]{7,40}$/, 'commit is 7 to 40 lower-case hex digits')
        .optional(),
      /** default: the only environment of the targets */
      environment: z
        .string({ error: 'environment is one of the targets environments' })
        .min(1)
        .max(63)
        .optional(),
    },
    { error: 'a run request is {ref?, commit?, environment?}' },
  )
  .strict();
/** @public */
export type CodeflowRunRequest = z.infer<typeof codeflowRunRequestSchema>;

/** `?limit=&before=`: newest first, `before` a build number. @public */
export const codeflowRunListQuerySchema = z
  .object({
    limit: z.coerce
      .number({ error: 'limit is a number from 1 to 100' })
      .int('limit is a whole number')
      .min(1, 'limit is at least 1')
      .max(100, 'limit is at most 100')
      .default(20),
    before: z.coerce
      .number({ error: 'before is a build number' })
      .int('before is a whole number')
      .min(1, 'before is at least 1')
      .optional(),
  })
  .strict();

/** A codeflow's runs, newest first. @public */
export const codeflowRunListSchema = z.object({
  items: z.array(codeflowRunSchema),
  /** the `before` of the next page, null at the end */
  nextBefore: z.number().int().nullable(),
  /** runs queued or running on this codeflow now */
  active: z.number().int(),
});
/** @public */
export type CodeflowRunList = z.infer<typeof codeflowRunListSchema>;

/** `?download=1`: the whole log as an attachment; `?step=`: one step's lines. @public */
export const codeflowRunLogQuerySchema = z
  .object({
    download: z.enum(['0', '1']).optional(),
    step: z.string().max(200).optional(),
  })
  .strict();

/**
 * The live log (`GET …/runs/:runId/log/stream`, `text/event-stream`). Events, in order:
 * - `log`: `{ step, text, offset }`, every line once, from the start of the log (or from
 *   `Last-Event-ID`, the byte offset, when the browser reconnects);
 * - `run`: the run whenever its status or a step changes;
 * - `end`: `{ status }` once the run has finished and every line was sent; the stream closes.
 * @public
 */
export const codeflowLogEventSchema = z.object({
  step: z.string(),
  text: z.string(),
  /** the byte offset after this text, in the run's whole log */
  offset: z.number().int(),
});
/** @public */
export type CodeflowLogEvent = z.infer<typeof codeflowLogEventSchema>;

/**
 * The signal channel on which the codeflow backend says "the runs of this codeflow changed" (a
 * run queued, started, finished, a step moved on): the page reloads its history. The message is
 * `{ runId, status }`.
 * @public
 */
export function codeflowRunsSignalChannel(codeflowId: string): string {
  return `codeflow:runs:${codeflowId}`;
}
