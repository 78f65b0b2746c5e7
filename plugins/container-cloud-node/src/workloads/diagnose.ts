import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { Finding } from '@internal/plugin-container-cloud-common';

const SIGKILL = 137;

function seconds(from?: Date | string, to?: Date | string) {
  if (!from || !to) return undefined;
  return (new Date(to).getTime() - new Date(from).getTime()) / 1000;
}

/**
 * Pure: what is wrong with a pod, in plain words, with what to do about it. Reads the container
 * states and the pod's recent events (probe failures and scheduling only show up there).
 * @public
 */
export function diagnose(pod: V1Pod, events: CoreV1Event[] = []): Finding[] {
  const findings: Finding[] = [];
  const podName = pod.metadata?.name ?? '';
  const add = (f: Omit<Finding, 'pod'>) => {
    if (
      !findings.some(
        x => x.problem === f.problem && x.container === f.container,
      )
    ) {
      findings.push({ pod: podName, ...f });
    }
  };
  const recent = (pattern: RegExp, container?: string) =>
    events.find(
      e =>
        pattern.test(e.message ?? '') &&
        (!container ||
          !e.involvedObject?.fieldPath ||
          e.involvedObject.fieldPath.includes(`{${container}}`)),
    );

  const unschedulable = pod.status?.conditions?.find(
    c =>
      c.type === 'PodScheduled' &&
      c.status === 'False' &&
      c.reason === 'Unschedulable',
  );
  if (pod.status?.phase === 'Pending' && unschedulable) {
    const short = /Insufficient (cpu|memory)/i.exec(
      unschedulable.message ?? '',
    );
    add({
      problem: short
        ? `pending: no node has enough ${short[1].toLowerCase()} for it`
        : 'pending: no node can take it',
      advice: short
        ? `lower requests.${short[1].toLowerCase()} or add capacity to the cluster`
        : `check node selectors, taints and affinity (${
            unschedulable.message ?? 'no detail'
          })`,
      evidence: unschedulable.message,
    });
  }

  for (const status of pod.status?.containerStatuses ?? []) {
    const container = status.name;
    const waiting = status.state?.waiting;
    const last = status.lastState?.terminated ?? status.state?.terminated;

    if (
      waiting &&
      /ErrImagePull|ImagePullBackOff|InvalidImageName/.test(
        waiting.reason ?? '',
      )
    ) {
      add({
        container,
        problem: `the image ${status.image} cannot be pulled`,
        advice:
          'check the image name and tag exist, and that the cluster has credentials for its registry',
        evidence: waiting.message ?? waiting.reason,
      });
    }
    if (last?.reason === 'OOMKilled') {
      add({
        container,
        problem: 'killed for running out of memory (OOMKilled)',
        advice:
          'raise limits.memory, or find what grows (heap size flags, caches, leaks)',
        evidence: `exit code ${last.exitCode}`,
      });
    } else if (last && last.exitCode === 0 && (status.restartCount ?? 0) > 0) {
      const ran = seconds(last.startedAt, last.finishedAt);
      add({
        container,
        problem: `exits right after start${
          ran !== undefined ? ` (ran ${Math.round(ran)} s)` : ''
        } with code 0`,
        advice:
          'the main process must stay in the foreground: a start script that launches the server in the background and returns ends the container',
        evidence: `restarted ${status.restartCount} times`,
      });
    } else if (
      last &&
      last.exitCode === SIGKILL &&
      last.reason !== 'OOMKilled'
    ) {
      add({
        container,
        problem: 'killed without a graceful shutdown (SIGKILL, exit code 137)',
        advice:
          'handle SIGTERM and exit within terminationGracePeriodSeconds, or lengthen it',
        evidence: last.reason,
      });
    } else if (last && last.exitCode !== 0 && (status.restartCount ?? 0) > 0) {
      add({
        container,
        problem: `crashes with exit code ${last.exitCode}`,
        advice:
          "read the previous container's log for the error it printed before exiting",
        evidence: last.reason,
      });
    }
    const liveness = recent(/Liveness probe failed/, container);
    if (liveness) {
      add({
        container,
        problem: 'the liveness probe fails, so Kubernetes keeps restarting it',
        advice:
          'check the probe path and port exist in the application and answer within the timeout; give it an initialDelaySeconds longer than start-up',
        evidence: liveness.message,
      });
    }
    if (!status.ready && status.state?.running) {
      const readiness = recent(/Readiness probe failed/, container);
      add({
        container,
        problem: 'running but not ready, so it gets no traffic',
        advice: readiness
          ? 'the readiness probe fails: check its path and port, and what the application needs before it is ready'
          : 'check the readiness probe and what the application waits for at start-up',
        evidence: readiness?.message,
      });
    }
  }
  return findings;
}
