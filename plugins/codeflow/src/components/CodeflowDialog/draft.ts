import type {
  CodeflowDefinition,
  CodeflowView,
} from '@internal/plugin-container-cloud-common';
import {
  formatCommand,
  formatCommands,
  parseCommandLine,
  parseCommands,
} from '../../lib/commandLine';
import type { FieldErrors } from '../../lib/fieldErrors';

export interface PlacementDraft {
  cluster: string;
  namespace: string;
}

export interface TargetDraft {
  service: string;
  environment: string;
  placements: PlacementDraft[];
}

export interface RuleDraft {
  kind: 'branch' | 'tag';
  pattern: string;
  environment: string;
  approval: boolean;
}

/** The form's state: what a person types, before it is a definition. */
export interface Draft {
  name: string;
  repositoryUrl: string;
  /** '' for none */
  credentials: string;
  refKind: 'branch' | 'tag';
  refPattern: string;
  buildImage: string;
  /** one command per line */
  buildScript: string;
  artifactPath: string;
  deployPath: string;
  startCommand: string;
  port: string;
  env: Array<{ name: string; value: string }>;
  preprocessingScript: string;
  useCustomDockerfile: boolean;
  customDockerfile: string;
  targets: TargetDraft[];
  manual: boolean;
  webhookEnabled: boolean;
  rules: RuleDraft[];
}

/** A new codeflow of the service `entityRef`: built from main, rolled to the service in test. */
export function emptyDraft(entityRef: string): Draft {
  return {
    name: '',
    repositoryUrl: '',
    credentials: '',
    refKind: 'branch',
    refPattern: 'main',
    buildImage: '',
    buildScript: '',
    artifactPath: '',
    deployPath: '/app',
    startCommand: '',
    port: '8080',
    env: [],
    preprocessingScript: '',
    useCustomDockerfile: false,
    customDockerfile: '',
    targets: [
      {
        service: entityRef,
        environment: 'test',
        placements: [{ cluster: '', namespace: '' }],
      },
    ],
    manual: true,
    webhookEnabled: false,
    rules: [],
  };
}

/** The form of an existing codeflow. */
export function draftOf(view: CodeflowView): Draft {
  return {
    name: view.name,
    repositoryUrl: view.repositoryUrl,
    credentials: view.credentials ?? '',
    refKind: view.ref.kind,
    refPattern: view.ref.pattern,
    buildImage: view.buildImage,
    buildScript: formatCommands(view.buildScript),
    artifactPath: view.artifactPath,
    deployPath: view.deployPath,
    startCommand: formatCommand(view.startCommand),
    port: String(view.port),
    env: view.env.map(e => ({ ...e })),
    preprocessingScript: formatCommands(view.preprocessingScript),
    useCustomDockerfile: view.customDockerfile !== undefined,
    customDockerfile: view.customDockerfile ?? '',
    targets: view.targets.map(t => ({
      service: t.service,
      environment: t.environment,
      placements: t.placements.map(p => ({ ...p })),
    })),
    manual: view.triggers.manual,
    webhookEnabled: view.triggers.webhook.enabled,
    rules: view.triggers.webhook.rules.map(r => ({
      kind: r.ref.kind,
      pattern: r.ref.pattern,
      environment: r.environment,
      approval: r.approval,
    })),
  };
}

/**
 * The definition the form describes, or the fields the page can already tell are wrong (a
 * command line it cannot read, a port that is no number). Everything else the server checks.
 */
export function definitionOf(
  draft: Draft,
): { definition: CodeflowDefinition } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const build = parseCommands(draft.buildScript);
  if ('error' in build) errors.buildScript = build.error;
  const pre = parseCommands(draft.preprocessingScript);
  if ('error' in pre) errors.preprocessingScript = pre.error;
  const start = parseCommandLine(draft.startCommand);
  if ('error' in start) errors.startCommand = start.error;
  const port = Number(draft.port);
  if (!/^\d+$/.test(draft.port.trim())) {
    errors.port = 'port is a number between 1 and 65535';
  }
  if (Object.keys(errors).length || 'error' in build || 'error' in pre) {
    return { errors };
  }
  if ('error' in start) return { errors };
  const definition: CodeflowDefinition = {
    name: draft.name.trim(),
    repositoryUrl: draft.repositoryUrl.trim(),
    credentials: draft.credentials || null,
    ref: { kind: draft.refKind, pattern: draft.refPattern.trim() },
    buildImage: draft.buildImage,
    buildScript: build.commands,
    artifactPath: draft.artifactPath.trim(),
    deployPath: draft.deployPath.trim(),
    startCommand: start.argv,
    port,
    env: draft.env
      .filter(e => e.name || e.value)
      .map(e => ({ name: e.name.trim(), value: e.value })),
    targets: draft.targets.map(t => ({
      service: t.service.trim(),
      environment: t.environment.trim(),
      placements: t.placements
        .filter(p => p.cluster || p.namespace)
        .map(p => ({
          cluster: p.cluster.trim(),
          namespace: p.namespace.trim(),
        })),
    })),
    triggers: {
      manual: draft.manual,
      webhook: {
        enabled: draft.webhookEnabled,
        rules: draft.rules.map(r => ({
          ref: { kind: r.kind, pattern: r.pattern.trim() },
          environment: r.environment.trim(),
          approval: r.approval,
        })),
      },
    },
  };
  if (pre.commands.length) definition.preprocessingScript = pre.commands;
  if (draft.useCustomDockerfile) {
    definition.customDockerfile = draft.customDockerfile;
  }
  return { definition };
}
