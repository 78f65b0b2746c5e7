import type express from 'express';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  codeflowCancelPermission,
  codeflowLogsReadPermission,
  codeflowParamsSchema,
  codeflowRunListQuerySchema,
  codeflowRunListSchema,
  codeflowRunLogQuerySchema,
  codeflowRunParamsSchema,
  codeflowRunPermission,
  codeflowRunRequestSchema,
  codeflowRunSchema,
  CodeflowRun,
} from '@internal/plugin-container-cloud-common';
import {
  ANSWERED,
  defineRoute,
  RouteSpec,
} from '@internal/plugin-container-cloud-node';
import type { CodeflowService } from '../definitions/routes';
import type {
  CodeflowStore,
  StoredCodeflow,
} from '../definitions/CodeflowStore';
import type { Rollout } from '../rollout/types';
import type { LogFollowers } from './LogFollowers';
import { stepsOf, targetsOf, type RunEngine } from './RunEngine';
import { runView, type RunStore, type StoredRun } from './RunStore';
import type { RunsConfig } from './runsConfig';

const route = defineRoute<CodeflowService>();

const RUNS_PATH = '/services/:namespace/:name/codeflows/:id/runs';
const RUN_PATH = `${RUNS_PATH}/:runId`;

/** What the runs' routes need (the table is listed with stand-ins in tests). */
export interface RunRouteOptions {
  codeflows: CodeflowStore;
  runs: RunStore;
  engine: Pick<RunEngine, 'queue' | 'nudge'>;
  rollout: Pick<Rollout, 'checkUserMayRoll' | 'stepsOf'>;
  followers: LogFollowers;
  config: Pick<RunsConfig, 'executor'>;
  /** keep-alive comments on a live log (default 15 s) */
  keepAliveMs?: number;
}

/** A 409 that answers the run as it is now (`current`). */
class RunConflictError extends ConflictError {
  constructor(message: string, readonly current: CodeflowRun) {
    super(message);
  }
}

function userOf(credentials: BackstageCredentials): string {
  return (credentials.principal as { userEntityRef: string }).userEntityRef;
}

/** The run's environment: the one asked for, or the targets' only one (400 in words otherwise). */
function environmentOf(codeflow: StoredCodeflow, asked?: string): string {
  const environments = [
    ...new Set(codeflow.definition.targets.map(t => t.environment)),
  ];
  if (asked !== undefined) {
    if (!environments.includes(asked)) {
      throw new InputError(
        `invalid run: environment: ${asked} is none of codeflow ${
          codeflow.definition.name
        }'s targets' environments (${
          environments.join(', ') || 'it has no targets'
        })`,
      );
    }
    return asked;
  }
  if (environments.length === 1) return environments[0];
  if (environments.length === 0) return '';
  throw new InputError(
    `invalid run: environment: codeflow ${
      codeflow.definition.name
    } rolls several environments (${environments.join(', ')}): name one`,
  );
}

/** The ref a manual run builds: the one asked for, or the codeflow's when it names one branch or tag. */
function refOf(
  codeflow: StoredCodeflow,
  asked?: { kind: 'branch' | 'tag'; name: string },
): { kind: 'branch' | 'tag'; name: string } {
  if (asked) return asked;
  const { kind, pattern } = codeflow.definition.ref;
  if (/[*?[]/.test(pattern)) {
    throw new InputError(
      `invalid run: ref: codeflow ${codeflow.definition.name} builds ${kind}es matching ${pattern}: name the ${kind} to build`,
    );
  }
  return { kind, name: pattern };
}

/** The runs' route table (the router, the permission test and the OpenAPI document read it). */
export function runRouteTable(
  options: RunRouteOptions,
): RouteSpec<CodeflowService>[] {
  const { codeflows, runs, engine, rollout, followers } = options;

  /** The service's codeflow (a deleted one too: its runs stay readable). */
  async function codeflowOf(
    service: CodeflowService,
    id: string,
  ): Promise<StoredCodeflow> {
    const found = await codeflows.get(id, { includeDeleted: true });
    if (
      !found ||
      found.service !== service.entityRef.toLocaleLowerCase('en-US')
    ) {
      throw new NotFoundError(`${service.entityRef} has no codeflow ${id}`);
    }
    return found;
  }

  /** The codeflow's run (404 in words when it is another's or none). */
  async function runOf(
    service: CodeflowService,
    params: { id: string; runId: string },
  ): Promise<StoredRun> {
    await codeflowOf(service, params.id);
    const run = await runs.get(params.runId);
    if (!run || run.codeflowId !== params.id) {
      throw new NotFoundError(
        `codeflow ${params.id} of ${service.entityRef} has no run ${params.runId}`,
      );
    }
    return run;
  }

  const runErrors = {
    409: 'the run has finished, or is not waiting (`current`: the run as it is)',
  };

  return [
    route({
      method: 'post',
      path: RUNS_PATH,
      summary: 'Start a run: build a branch or tag and roll one environment',
      description:
        'Only when the codeflow allows manual runs (`triggers.manual`). The environment is one of its targets’ (the only one by default), and the caller must be allowed to roll every target of it (the services’ upgrade permission, placements its binding covers): a 400 or 403 names the target. The run is queued (202) and built as soon as a slot is free.',
      access: 'operate',
      permission: codeflowRunPermission,
      audit: { eventId: 'codeflow-run' },
      request: {
        params: codeflowParamsSchema,
        body: codeflowRunRequestSchema,
        names: { params: 'codeflow', body: 'run' },
      },
      response: {
        status: 202,
        description: 'the run, queued',
        schema: codeflowRunSchema,
      },
      handler: async ({ resource, params, body, credentials, audit }) => {
        const codeflow = await codeflows.getOf(resource.entityRef, params.id);
        if (!codeflow.definition.triggers.manual) {
          throw new InputError(
            `codeflow ${codeflow.definition.name} does not allow manual runs (triggers.manual is off): it runs on pushes only`,
          );
        }
        const environment = environmentOf(codeflow, body.environment);
        const ref = refOf(codeflow, body.ref);
        await rollout.checkUserMayRoll(
          targetsOf(codeflow, environment),
          credentials,
        );
        const user = userOf(credentials);
        const run = await engine.queue({
          codeflow,
          trigger: 'manual',
          requestedBy: user,
          actingFor: user,
          pushedBy: null,
          ref,
          commit: body.commit
            ? { sha: body.commit, message: null, author: null }
            : null,
          environment,
          executor: options.config.executor,
          steps: stepsOf(codeflow, environment, rollout),
          needsApproval: false,
        });
        audit.meta.result = { runId: run.id, number: run.number };
        return runView(run);
      },
    }),
    route({
      method: 'get',
      path: RUNS_PATH,
      summary: "A codeflow's runs, newest first",
      access: 'read',
      request: {
        params: codeflowParamsSchema,
        query: codeflowRunListQuerySchema,
        names: { params: 'codeflow', query: 'run list' },
      },
      response: {
        description:
          'a page of runs (`nextBefore` for the next one) and how many are queued or running',
        schema: codeflowRunListSchema,
      },
      handler: async ({ resource, params, query }) => {
        await codeflowOf(resource, params.id);
        const page = await runs.list(params.id, query);
        return { ...page, items: page.items.map(runView) };
      },
    }),
    route({
      method: 'get',
      path: RUN_PATH,
      summary: 'One run, with its steps',
      access: 'read',
      request: { params: codeflowRunParamsSchema, names: { params: 'run' } },
      response: { description: 'the run', schema: codeflowRunSchema },
      handler: async ({ resource, params }) =>
        runView(await runOf(resource, params)),
    }),
    route({
      method: 'post',
      path: `${RUN_PATH}/cancel`,
      summary: 'Cancel a run',
      description:
        'A queued or waiting run is cancelled at once; a running one is stopped by the replica building it within a second (the answer shows it still running, the history then `cancelled`). A finished run: 409 with the run as it is.',
      access: 'operate',
      permission: codeflowCancelPermission,
      audit: { eventId: 'codeflow-run-cancel' },
      request: { params: codeflowRunParamsSchema, names: { params: 'run' } },
      response: {
        description: 'the run after the request',
        schema: codeflowRunSchema,
        errors: runErrors,
      },
      handler: async ({ resource, params, credentials, audit }) => {
        await runOf(resource, params);
        const { outcome, run } = await runs.requestCancel(
          params.runId,
          userOf(credentials),
        );
        if (outcome === 'finished') {
          throw new RunConflictError(
            `run #${run.number} has finished (${run.status}): there is nothing to cancel`,
            runView(run),
          );
        }
        audit.meta.result = { runId: run.id, outcome };
        return runView(run);
      },
    }),
    route({
      method: 'post',
      path: `${RUN_PATH}/approve`,
      summary: 'Approve the roll-out of a run that waits for it',
      description:
        'Only a run `awaiting-approval` (a webhook rule with `approval: true`, built and pushed): the caller must be allowed to roll every target, and the roll-out then acts for them. Another status: 409 with the run as it is.',
      access: 'operate',
      permission: codeflowRunPermission,
      audit: { eventId: 'codeflow-run-approve' },
      request: { params: codeflowRunParamsSchema, names: { params: 'run' } },
      response: {
        description: 'the run, queued to roll out',
        schema: codeflowRunSchema,
        errors: runErrors,
      },
      handler: async ({ resource, params, credentials, audit }) => {
        const run = await runOf(resource, params);
        if (run.status !== 'awaiting-approval') {
          throw new RunConflictError(
            `run #${run.number} is ${run.status}, not waiting for an approval`,
            runView(run),
          );
        }
        await rollout.checkUserMayRoll(
          targetsOf(run.codeflow, run.environment),
          credentials,
        );
        const approved = await runs.approve(run.id, userOf(credentials));
        if (!approved) {
          const current = (await runs.get(run.id))!;
          throw new RunConflictError(
            `run #${run.number} is ${current.status}, not waiting for an approval`,
            runView(current),
          );
        }
        engine.nudge();
        audit.meta.result = { runId: run.id };
        return runView(approved);
      },
    }),
    route({
      method: 'get',
      path: `${RUN_PATH}/log`,
      summary:
        "A run's stored log (text; `download=1` as a file; `step=` one step)",
      access: 'read',
      permission: codeflowLogsReadPermission,
      request: {
        params: codeflowRunParamsSchema,
        query: codeflowRunLogQuerySchema,
        names: { params: 'run', query: 'log' },
      },
      response: {
        description: 'the log text, secrets hidden',
        contentType: 'text/plain',
      },
      handler: async ({ resource, params, query, res }) => {
        const run = await runOf(resource, params);
        if (
          query.step !== undefined &&
          !run.steps.some(s => s.name === query.step)
        ) {
          throw new InputError(
            `invalid log: step: run #${run.number} has no step ${
              query.step
            } (it has ${run.steps.map(s => s.name).join(', ')})`,
          );
        }
        const chunks = await runs.logChunks(run.id, { step: query.step });
        res.status(200).type('text/plain; charset=utf-8');
        if (query.download === '1') {
          res.attachment(
            `${run.codeflow.definition?.name ?? run.codeflowId}-${run.number}${
              query.step
                ? `-${query.step.replace(/[^A-Za-z0-9._-]+/g, '-')}`
                : ''
            }.log`,
          );
        }
        res.end(chunks.map(c => c.text).join(''));
        return ANSWERED;
      },
    }),
    route({
      method: 'get',
      path: `${RUN_PATH}/log/stream`,
      summary:
        "A run's log as it comes (Server-Sent Events: log, run, end); Last-Event-ID resumes",
      description:
        'Events: `log` `{step, text, offset}` with `id:` the byte offset after it (a reconnect with `Last-Event-ID` resumes there), `run` the run whenever it changes, `end` `{status}` once it finished and every line was sent; then the stream closes. Viewers on any replica see every line.',
      access: 'read',
      permission: codeflowLogsReadPermission,
      request: { params: codeflowRunParamsSchema, names: { params: 'run' } },
      response: {
        description: 'the stream of the log',
        contentType: 'text/event-stream',
      },
      handler: async ({ resource, params, req, res }) => {
        const run = await runOf(resource, params);
        const fromOffset = lastEventId(req);
        return streamLog(res, run, fromOffset, followers, options.keepAliveMs);
      },
    }),
  ];
}

/** `Last-Event-ID`: the byte offset a reconnecting viewer has (0 without one; 400 when it is no offset). */
function lastEventId(req: express.Request): number {
  const header = req.header('last-event-id');
  if (header === undefined || header === '') return 0;
  if (!/^\d{1,15}$/.test(header)) {
    throw new InputError(
      'invalid log: Last-Event-ID is the byte offset of the last log event received',
    );
  }
  return Number(header);
}

/** One Server-Sent Event; `data` is JSON (one line), so it cannot break the framing. */
function sse(event: string, data: unknown, id?: number): string {
  return `${
    id !== undefined ? `id: ${id}\n` : ''
  }event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

async function streamLog(
  res: express.Response,
  run: StoredRun,
  fromOffset: number,
  followers: LogFollowers,
  keepAliveMs = 15_000,
): Promise<typeof ANSWERED> {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    // no-transform keeps the compression middleware from buffering the stream
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write(sse('run', runView(run)));
  let closed = false;
  let leave = () => {};
  const keepAlive = setInterval(
    () => res.write(': keep-alive\n\n'),
    keepAliveMs,
  );
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    leave();
  };
  res.on('close', close);
  try {
    leave = await followers.follow(run.id, fromOffset, {
      chunk: c =>
        res.write(
          sse(
            'log',
            { step: c.step, text: c.text, offset: c.endOffset },
            c.endOffset,
          ),
        ),
      run: r => res.write(sse('run', runView(r))),
      end: r => {
        res.write(sse('end', { status: r.status }));
        res.end();
        close();
      },
    });
    if (closed) leave();
  } catch (error) {
    // the stream had begun: the viewer's reconnect (Last-Event-ID) carries on
    res.end();
    close();
  }
  return ANSWERED;
}
