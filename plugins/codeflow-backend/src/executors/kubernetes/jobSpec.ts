import type {
  V1Container,
  V1Job,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { PARAMETER_NAME, shellCommand } from '../commands';
import type { ExecutorRun } from '../types';

/** How build Jobs are made (containerCloud.codeflow.kubernetes). */
export interface BuildJobSettings {
  /** the namespace build Jobs run in */
  namespace: string;
  /** the rootless builder image every stage runs in, e.g. moby/buildkit:v0.17.0-rootless */
  builderImage: string;
  /** the numeric user (and group) the stages run as; never 0. Default 1000 */
  runAsUser?: number;
  /** requests and limits of each stage's container; defaults 500m/1Gi requested, 2/4Gi limits */
  resources?: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
  /** a PersistentVolumeClaim kept between runs (the code and dependency cache), mounted at /cache */
  cacheClaim?: string;
  /** Kubernetes Secrets mounted read-only (registry auth, git credentials), each at its path */
  secrets?: Array<{ secret: string; mountPath: string }>;
  serviceAccountName?: string;
  /** the run timeout: Kubernetes stops the Job after it (activeDeadlineSeconds). Default 3600 */
  timeoutSeconds?: number;
  /** how long a finished Job (and its logs) stays. Default 86400 */
  keepSeconds?: number;
}

/** The labels every build Job and its pod carry. */
export const BUILD_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  codeflow: 'container-cloud.io/codeflow',
  run: 'container-cloud.io/codeflow-run',
} as const;

const WORKSPACE = '/workspace';
const CACHE = '/cache';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A Kubernetes name from free text: lower case, dashes, at most `max` characters. */
function dnsName(text: string, max: number): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return name || 'x';
}

/** The container name of a stage: `s<index>-<name>`, unique and valid whatever the stage is called. */
export function stageContainerName(index: number, stage: string): string {
  return `s${index}-${dnsName(stage, 50)}`;
}

/** A build Job's name: `cf-<codeflow>-<run>`, a DNS label (Jobs name their pods after it). */
export function buildJobName(codeflowId: string, runId: string): string {
  return dnsName(`cf-${codeflowId}-${runId}`, 52);
}

/**
 * The Job of one run: each stage a container of its pod, in order (init containers, then the last
 * stage), running the stage's commands (argv, shell-quoted, never pasted) with the run's
 * parameters as environment variables; in the build namespace with the rootless builder image,
 * as a numeric non-root user, no privilege escalation, no capabilities, the runtime's seccomp
 * profile, resource limits, the code cache claim and the Secrets mounted read-only; never
 * retried (a failed build is a result), stopped by Kubernetes after the run timeout.
 */
export function buildJob(run: ExecutorRun, settings: BuildJobSettings): V1Job {
  const user = settings.runAsUser ?? 1000;
  if (!Number.isInteger(user) || user <= 0) {
    throw new Error(
      'a build runs as a numeric non-root user: runAsUser must be a positive whole number',
    );
  }
  if (!DNS_LABEL.test(settings.namespace)) {
    throw new Error(`${settings.namespace} is no namespace name`);
  }
  if (run.stages.length === 0) throw new Error('a run has at least one stage');
  const parameters = Object.keys(run.parameters);
  for (const name of parameters) {
    if (!PARAMETER_NAME.test(name)) {
      throw new Error(
        `${name} cannot be a run parameter: upper-case letters, digits and _`,
      );
    }
  }
  const volumes: V1Volume[] = [{ name: 'workspace', emptyDir: {} }];
  const mounts: V1VolumeMount[] = [{ name: 'workspace', mountPath: WORKSPACE }];
  if (settings.cacheClaim) {
    volumes.push({
      name: 'cache',
      persistentVolumeClaim: { claimName: settings.cacheClaim },
    });
    mounts.push({ name: 'cache', mountPath: CACHE });
  }
  (settings.secrets ?? []).forEach(({ secret, mountPath }, i) => {
    if (!mountPath.startsWith('/') || mountPath.split('/').includes('..')) {
      throw new Error(
        `a secret's mountPath is an absolute path without ..: ${mountPath}`,
      );
    }
    volumes.push({
      name: `secret-${i}`,
      secret: { secretName: secret, defaultMode: 0o440 },
    });
    mounts.push({ name: `secret-${i}`, mountPath, readOnly: true });
  });
  const requests = settings.resources?.requests ?? {};
  const limits = settings.resources?.limits ?? {};
  const containers: V1Container[] = run.stages.map((stage, index) => ({
    name: stageContainerName(index, stage.name),
    image: settings.builderImage,
    imagePullPolicy: 'IfNotPresent',
    workingDir: WORKSPACE,
    command: ['/bin/sh', '-ec'],
    args: [
      stage.commands.map(argv => shellCommand(argv, parameters)).join('\n') ||
        'true',
    ],
    env: [
      ...Object.entries(run.parameters).map(([name, value]) => ({
        name,
        value,
      })),
      { name: 'HOME', value: WORKSPACE },
      { name: 'CODEFLOW_STAGE', value: stage.name },
    ],
    resources: {
      requests: {
        cpu: requests.cpu ?? '500m',
        memory: requests.memory ?? '1Gi',
      },
      limits: { cpu: limits.cpu ?? '2', memory: limits.memory ?? '4Gi' },
    },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: user,
      runAsGroup: user,
      privileged: false,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: mounts,
  }));
  const labels = {
    [BUILD_LABELS.managedBy]: 'container-cloud-codeflow',
    [BUILD_LABELS.codeflow]: dnsName(run.codeflowId, 63),
    [BUILD_LABELS.run]: dnsName(run.runId, 63),
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: buildJobName(run.codeflowId, run.runId),
      namespace: settings.namespace,
      labels,
      annotations: {
        'container-cloud.io/codeflow-id': run.codeflowId,
        'container-cloud.io/codeflow-run-id': run.runId,
        'container-cloud.io/stages': JSON.stringify(
          run.stages.map(s => s.name),
        ),
      },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: settings.timeoutSeconds ?? 3600,
      ttlSecondsAfterFinished: settings.keepSeconds ?? 86400,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          ...(settings.serviceAccountName
            ? { serviceAccountName: settings.serviceAccountName }
            : {}),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: user,
            runAsGroup: user,
            fsGroup: user,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          initContainers: containers.slice(0, -1),
          containers: containers.slice(-1),
          volumes,
        },
      },
    },
  };
}
