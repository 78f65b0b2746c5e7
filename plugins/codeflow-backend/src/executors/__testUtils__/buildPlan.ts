import type { BuildPlan, BuildSink, BuildStep } from '../types';

/** A plan as the run engine makes it (a Node.js service, optionally with pre-processing). */
export function examplePlan(overrides: Partial<BuildPlan> = {}): BuildPlan {
  return {
    runId: 'run-0123456789abcdef01234567',
    codeflowId: 'cf-0123456789abcdef01234567',
    buildNumber: 3,
    repository: { url: 'http://127.0.0.1:9/shop.git', credentials: null },
    ref: { kind: 'branch', name: 'main' },
    commit: null,
    buildImage: {
      id: 'node22',
      image: 'registry.example.com/mirror/node:22',
      runtimeImage: 'registry.example.com/mirror/node:22-slim',
    },
    buildScript: [
      ['npm', 'ci'],
      ['npm', 'run', 'build'],
    ],
    artifactPath: 'dist',
    dockerfile:
      'FROM registry.example.com/mirror/node:22-slim\nCOPY ["dist", "/app/"]\n',
    buildArgs: {
      CODEFLOW_REVISION: '',
      CODEFLOW_CREATED: '2026-12-07T06:00:00Z',
      CODEFLOW_BUILD_ID: 'run-0123456789abcdef01234567',
    },
    preprocessing: null,
    image: {
      repository: '127.0.0.1:5000/codeflow/shop',
      branchTag: 'main',
    },
    registryCredentials: null,
    ...overrides,
  };
}

export type SinkEvent =
  | ['started', BuildStep]
  | ['finished', BuildStep, string, string | undefined]
  | ['commit', string];

/** A sink that records what an executor reports; `abortWhen` aborts its signal on an event. */
export function recordingSink(abortWhen?: (event: SinkEvent) => boolean) {
  const controller = new AbortController();
  const events: SinkEvent[] = [];
  const logs: Partial<Record<BuildStep, string>> = {};
  const note = (event: SinkEvent) => {
    events.push(event);
    if (abortWhen?.(event)) controller.abort();
  };
  const sink: BuildSink = {
    async stepStarted(step) {
      note(['started', step]);
    },
    async stepFinished(step, outcome) {
      note(['finished', step, outcome.status, outcome.detail]);
    },
    log(step, text) {
      logs[step] = (logs[step] ?? '') + text;
    },
    async commit(commit) {
      note(['commit', commit.sha]);
    },
    signal: controller.signal,
  };
  return { sink, events, logs };
}
