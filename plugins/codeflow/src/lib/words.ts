import {
  BUILD_STEP_NAMES,
  type CodeflowFailureKind,
  type CodeflowRun,
  type CodeflowRunStep,
} from '@internal/plugin-container-cloud-common';

/** Why a run failed, in a person's words, by its kind. */
export const FAILURE_WORDS: Record<CodeflowFailureKind, string> = {
  'fetch-failed':
    'The code could not be fetched: check the repository URL, the branch or tag, and the credentials.',
  'compile-error': 'The code did not compile.',
  'test-failure': 'The tests failed.',
  'build-failed': 'The build script failed.',
  'push-denied': 'The registry refused the image.',
  'rollout-refused': 'The roll-out was refused.',
  'rollout-stuck': 'The new containers did not become ready.',
  timeout: 'The run took longer than allowed and was stopped.',
  'executor-lost': 'The machine building it stopped answering.',
  other: 'The run failed.',
};

/** A duration in words: 850 ms, 12 s, 3 min 5 s, 1 h 2 min. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Who started a run, in words. */
export function startedBy(run: CodeflowRun): string {
  const who = run.requestedBy.startsWith('webhook:')
    ? `${run.pushedBy ?? 'a push'} (${run.requestedBy.slice(8)} webhook)`
    : run.requestedBy.replace(/^user:(default\/)?/, '');
  return who;
}

/** The trigger in words. */
export function triggerWords(trigger: string): string {
  if (trigger === 'manual') return 'Run button';
  const [host, kind] = trigger.split('-');
  const hostName =
    { gitlab: 'GitLab', gitea: 'Gitea', github: 'GitHub' }[host] ?? host;
  return `${hostName} ${kind ?? ''}`.trim();
}

/** A run's steps in the order they run: fetch, preprocess, build, image, push, then the roll-outs. */
export function stepsInOrder(steps: CodeflowRunStep[]): CodeflowRunStep[] {
  const order = (s: CodeflowRunStep, i: number) => {
    const at = (BUILD_STEP_NAMES as readonly string[]).indexOf(s.name);
    return at >= 0 ? at : BUILD_STEP_NAMES.length + i;
  };
  return steps
    .map((s, i) => ({ s, key: order(s, i) }))
    .sort((a, b) => a.key - b.key)
    .map(({ s }) => s);
}
