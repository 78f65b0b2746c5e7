import type {
  AuditorService,
  AuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { V1Deployment, V1LabelSelector } from '@kubernetes/client-node';
import {
  CodeflowTarget,
  Finding,
  Placement,
  upgradeSchema,
} from '@internal/plugin-container-cloud-common';
import {
  ContainerCloudClustersService,
  diagnose,
  ServiceBinding,
  ServiceBindings,
} from '@internal/plugin-container-cloud-node';
import { actorWords } from './actor';
import { chooseContainer, digestOf } from './containerChoice';
import type { RolloutSettings } from './rolloutSettings';
import { rolloutState } from './rolloutState';
import { Rollout, RolloutError } from './types';

/** The services' upgrade operation's audit event: a codeflow's roll-out is that operation. */
export const UPGRADE_EVENT_ID = 'service-upgrade';

/** How often a write that lost a race (409) is read again and tried again. */
export const CONFLICT_RETRIES = 3;

/** What a roll-out reads and writes through. */
export interface RolloutDeps {
  clusters: Pick<
    ContainerCloudClustersService,
    'names' | 'operations' | 'connection' | 'events'
  >;
  bindings: Pick<ServiceBindings, 'resolve'>;
  catalog: Pick<CatalogService, 'getEntityByRef'>;
  auth: Pick<AuthService, 'getOwnServiceCredentials'>;
  auditor: AuditorService;
  logger: LoggerService;
}

export type RollInput = Parameters<Rollout['roll']>[0];

function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A write refused for what it is (the binding, a missing object, an invalid spec), not for the cluster's health. */
function isRefusal(error: unknown): boolean {
  const name = errorName(error);
  return (
    name === 'NotAllowedError' ||
    name === 'NotFoundError' ||
    name === 'InputError' ||
    (error as { statusCode?: number })?.statusCode === 400
  );
}

function selectorText(selector: V1LabelSelector | undefined): string {
  return Object.entries(selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function imageOfContainer(d: V1Deployment, container: string) {
  return d.spec?.template?.spec?.containers?.find(c => c.name === container)
    ?.image;
}

function describeFinding(f: Finding): string {
  const text = `pod ${f.pod}${
    f.container ? ` (container ${f.container})` : ''
  }: ${f.problem}; ${f.advice}`;
  // the advice often quotes its evidence already
  return f.evidence && !text.includes(f.evidence)
    ? `${text} [${f.evidence}]`
    : text;
}

/**
 * One roll-out of a run: each target's placements in order, one step each. Every write goes
 * through the cluster layer's `DeploymentOperations.upgrade` (the services' upgrade operation)
 * with the kubernetes id from the service's binding as the catalog says NOW, under the version
 * just read, and is audited as the services' upgrade with who it acts for.
 */
export class RolloutRun {
  private readonly actor: string;

  constructor(
    private readonly deps: RolloutDeps,
    private readonly settings: RolloutSettings,
    private readonly input: RollInput,
  ) {
    this.actor = actorWords(input.actor);
  }

  async run(): Promise<void> {
    const [first] = this.input.targets.flatMap(t => t.placements);
    if (!first) return;
    // the image the services' Upgrade would accept, and nothing else
    const image = upgradeSchema.shape.image.safeParse(this.input.image);
    if (!image.success) {
      throw new RolloutError(
        `rollout ${first.cluster}/${first.namespace}`,
        `'${this.input.image}' cannot be rolled out: ${image.error.issues
          .map(i => i.message)
          .join('; ')}`,
        'rollout-refused',
      );
    }
    for (const target of this.input.targets) {
      for (const placement of target.placements) {
        await this.rollPlacement(target, placement);
      }
    }
  }

  private async rollPlacement(target: CodeflowTarget, placement: Placement) {
    const { sink, image } = this.input;
    const { cluster, namespace } = placement;
    const step = `rollout ${cluster}/${namespace}`;
    const where = `${cluster}/${namespace}`;
    this.checkSignal(step, where);
    await sink.stepStarted(step);
    const binding = await this.bindingNow(target, step, where);
    let kubernetesId: string;
    try {
      kubernetesId = binding.idIn(cluster, namespace);
    } catch (error) {
      await this.auditRefusal(target, placement, error as Error);
      throw new RolloutError(
        step,
        `${where}: refused: ${messageOf(error)}`,
        'rollout-refused',
      );
    }
    const deployments = await this.deploymentsOf(
      step,
      where,
      placement,
      kubernetesId,
    );
    if (deployments.length === 0) {
      throw new RolloutError(
        step,
        `${where}: ${target.service} has no Deployment there (none labelled backstage.io/kubernetes-id=${kubernetesId}); create it first (the Services page's Create)`,
        'rollout-refused',
      );
    }
    const digest = digestOf(image);
    sink.log(
      step,
      `rolling ${target.service} in ${where} to ${image}${
        digest ? ` (digest ${digest})` : ''
      }, as ${this.actor}\n`,
    );
    const rolled: Array<{ name: string; container: string }> = [];
    for (const deployment of deployments) {
      rolled.push(
        await this.upgrade(step, where, target, placement, deployment, binding),
      );
    }
    for (const { name, container } of rolled) {
      await this.waitForRollout(
        step,
        where,
        placement,
        name,
        container,
        binding,
      );
    }
    await sink.stepFinished(step, {
      status: 'succeeded',
      detail: `${rolled
        .map(r => `${r.name} (${r.container})`)
        .join(', ')} run ${image}`,
    });
  }

  /** The target's binding as the catalog says now (it may have changed since the codeflow was saved). */
  private async bindingNow(
    target: CodeflowTarget,
    step: string,
    where: string,
  ): Promise<ServiceBinding> {
    const { catalog, auth, bindings } = this.deps;
    const entity = await catalog.getEntityByRef(target.service, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    if (!entity) {
      throw new RolloutError(
        step,
        `${where}: ${target.service} is no longer in the catalog`,
        'rollout-refused',
      );
    }
    return bindings.resolve(entity);
  }

  /** The service's Deployments in the placement: those carrying its kubernetes id, read now. */
  private async deploymentsOf(
    step: string,
    where: string,
    placement: Placement,
    kubernetesId: string,
  ): Promise<V1Deployment[]> {
    try {
      const list = await this.deps.clusters
        .connection(placement.cluster)
        .apps.listNamespacedDeployment({
          namespace: placement.namespace,
          labelSelector: `backstage.io/kubernetes-id=${kubernetesId}`,
        });
      return [...list.items].sort((a, b) =>
        (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
      );
    } catch (error) {
      throw new RolloutError(
        step,
        `${where}: the Deployments could not be read: ${messageOf(error)}`,
        isRefusal(error) ? 'rollout-refused' : 'other',
      );
    }
  }

  /**
   * Sets the chosen container's image under the version read; a 409 (the Deployment changed
   * since) is read again and tried again, `CONFLICT_RETRIES` times at most. Each write is one
   * audit event.
   */
  private async upgrade(
    step: string,
    where: string,
    target: CodeflowTarget,
    placement: Placement,
    read: V1Deployment,
    binding: ServiceBinding,
  ): Promise<{ name: string; container: string }> {
    const { image, sink } = this.input;
    const { cluster, namespace } = placement;
    const name = read.metadata?.name ?? '';
    const operations = this.deps.clusters.operations(cluster);
    let current = read;
    for (let attempt = 0; ; attempt++) {
      const choice = chooseContainer(
        current.spec?.template?.spec?.containers ?? [],
        image,
      );
      if ('refusal' in choice) {
        throw new RolloutError(
          step,
          `${where}: deployment ${name}: ${choice.refusal}`,
          'rollout-refused',
        );
      }
      const { container, from } = choice;
      if (from === image) {
        sink.log(
          step,
          `deployment ${name}: container ${container} already has ${image}\n`,
        );
        return { name, container };
      }
      const event = await this.deps.auditor.createEvent({
        eventId: UPGRADE_EVENT_ID,
        severityLevel: 'medium',
        meta: {
          ...this.auditBase(target, placement),
          deployment: name,
          container,
          from,
          to: image,
          request: { cluster, namespace, deployment: name, container, image },
          attempt: attempt + 1,
        },
      });
      sink.log(
        step,
        `deployment ${name}: container ${container} ${from} -> ${image}\n`,
      );
      try {
        await operations.upgrade(
          {
            namespace,
            name,
            // the binding decides again, on the object actually written
            kubernetesId: binding.idIn(cluster, namespace),
            resourceVersion: current.metadata?.resourceVersion,
          },
          container,
          image,
        );
        await event.success();
        return { name, container };
      } catch (error) {
        await event.fail({ error: error as Error });
        if (errorName(error) !== 'ConflictError') {
          throw new RolloutError(
            step,
            `${where}: deployment ${name} was not upgraded: ${messageOf(
              error,
            )}`,
            isRefusal(error) ? 'rollout-refused' : 'other',
          );
        }
        current = await this.reread(step, where, placement, name, binding);
        if (attempt >= CONFLICT_RETRIES) {
          throw new RolloutError(
            step,
            `${where}: deployment ${name} changed under the roll-out ${
              attempt + 1
            } times in a row (someone else is writing it); it was left as it is, container ${container} at ${
              imageOfContainer(current, container) ?? 'no image'
            }`,
            'rollout-refused',
          );
        }
        sink.log(
          step,
          `deployment ${name} changed since it was read (now resourceVersion ${current.metadata?.resourceVersion}); trying again\n`,
        );
      }
    }
  }

  private async reread(
    step: string,
    where: string,
    placement: Placement,
    name: string,
    binding: ServiceBinding,
  ): Promise<V1Deployment> {
    try {
      return await this.deps.clusters
        .operations(placement.cluster)
        .get(
          placement.namespace,
          name,
          binding.idIn(placement.cluster, placement.namespace),
        );
    } catch (error) {
      throw new RolloutError(
        step,
        `${where}: deployment ${name} could not be read again: ${messageOf(
          error,
        )}`,
        isRefusal(error) ? 'rollout-refused' : 'other',
      );
    }
  }

  /**
   * Waits until the Deployment runs the new pod template everywhere (see `rolloutState`), logging
   * each change of progress; past the timeout, fails with the services' diagnosis of the new pods.
   */
  private async waitForRollout(
    step: string,
    where: string,
    placement: Placement,
    name: string,
    container: string,
    binding: ServiceBinding,
  ) {
    const { sink, image } = this.input;
    const { cluster, namespace } = placement;
    const { connection, operations } = {
      connection: this.deps.clusters.connection(cluster),
      operations: this.deps.clusters.operations(cluster),
    };
    const started = Date.now();
    const deadline = started + this.settings.timeoutSeconds * 1000;
    let said: string | undefined;
    for (;;) {
      this.checkSignal(step, where);
      let state: ReturnType<typeof rolloutState> | undefined;
      try {
        const deployment = await operations.get(
          namespace,
          name,
          binding.idIn(cluster, namespace),
        );
        const now = imageOfContainer(deployment, container);
        if (now !== image) {
          throw new RolloutError(
            step,
            `${where}: deployment ${name} was changed by someone else during the roll-out: container ${container} is at ${
              now ?? 'no image'
            }, not ${image}`,
            'rollout-refused',
          );
        }
        const labelSelector = selectorText(deployment.spec?.selector);
        const [replicaSets, pods] = await Promise.all([
          connection.apps.listNamespacedReplicaSet({
            namespace,
            labelSelector,
          }),
          connection.core.listNamespacedPod({ namespace, labelSelector }),
        ]);
        state = rolloutState(deployment, replicaSets.items, pods.items);
        if (state.progress !== said) {
          said = state.progress;
          sink.log(step, `deployment ${name}: ${state.progress}\n`);
        }
        if (state.done) {
          sink.log(
            step,
            `deployment ${name}: rolled out in ${Math.round(
              (Date.now() - started) / 1000,
            )} s; every pod runs ${image}\n`,
          );
          return;
        }
      } catch (error) {
        if (error instanceof RolloutError) throw error;
        if (isRefusal(error)) {
          throw new RolloutError(
            step,
            `${where}: deployment ${name}: ${messageOf(error)}`,
            'rollout-refused',
          );
        }
        // a cluster that does not answer for a while may still roll: keep waiting until the deadline
        sink.log(
          step,
          `deployment ${name}: cannot read it: ${messageOf(error)}\n`,
        );
      }
      if (state?.hopeless) {
        throw new RolloutError(
          step,
          `${where}: not rolled out: ${state.hopeless}; ${await this.diagnosis(
            placement,
            name,
            state,
          )}`,
          'rollout-stuck',
        );
      }
      if (Date.now() >= deadline) {
        throw new RolloutError(
          step,
          `${where}: not rolled out after ${
            this.settings.timeoutSeconds
          } s: ${await this.diagnosis(placement, name, state)}`,
          'rollout-stuck',
        );
      }
      await pause(
        Math.min(
          this.settings.pollIntervalMs,
          Math.max(0, deadline - Date.now()),
        ),
        sink.signal,
      );
    }
  }

  /** What the services' diagnosis says of the new pods that are not ready (or of the Deployment). */
  private async diagnosis(
    placement: Placement,
    name: string,
    state: ReturnType<typeof rolloutState> | undefined,
  ): Promise<string> {
    if (!state) return `deployment ${name} could not be read`;
    const events = this.deps.clusters.events(placement.cluster);
    const findings: Finding[] = [];
    for (const pod of state.newPods) {
      const ready = pod.status?.conditions?.some(
        c => c.type === 'Ready' && c.status === 'True',
      );
      if (ready) continue;
      let podEvents: Awaited<ReturnType<typeof events.eventsOf>> = [];
      try {
        podEvents = await events.eventsOf(
          placement.namespace,
          'Pod',
          pod.metadata?.name ?? '',
        );
      } catch {
        // the diagnosis reads the pod alone then
      }
      const found = diagnose(pod, podEvents);
      findings.push(
        ...(found.length > 0
          ? found
          : [
              {
                pod: pod.metadata?.name ?? '',
                problem: `${pod.status?.phase ?? 'Unknown'}, not ready`,
                advice: "read the pod's events and log on the Services page",
              },
            ]),
      );
    }
    const progress = `${state.progress}`;
    if (findings.length === 0) {
      return `${progress}; ${
        state.newPods.length === 0
          ? 'no pod of the new revision was created (look at the ReplicaSet events: quota, admission)'
          : 'the new pods are ready, but old pods are still there'
      }`;
    }
    return `${progress}; ${findings.map(describeFinding).join('; ')}`;
  }

  private auditBase(target: CodeflowTarget, placement: Placement) {
    return {
      actor: this.actor,
      entityRef: target.service.toLocaleLowerCase('en-US'),
      cluster: placement.cluster,
      namespace: placement.namespace,
      codeflow: { id: this.input.codeflowId, name: this.input.codeflowName },
      codeflowRun: { id: this.input.runId, number: this.input.runNumber },
    };
  }

  /** A placement the binding refuses is recorded too: the refusal is what an auditor looks for. */
  private async auditRefusal(
    target: CodeflowTarget,
    placement: Placement,
    error: Error,
  ) {
    const event = await this.deps.auditor.createEvent({
      eventId: UPGRADE_EVENT_ID,
      severityLevel: 'medium',
      meta: { ...this.auditBase(target, placement), to: this.input.image },
    });
    await event.fail({ error });
  }

  private checkSignal(step: string, where: string) {
    const { signal } = this.input.sink;
    if (!signal.aborted) return;
    const reason = signal.reason;
    if (reason instanceof Error && reason.name !== 'AbortError') throw reason;
    throw new RolloutError(
      step,
      `${where}: stopped while rolling out (the run was cancelled or ran out of time)`,
      'timeout',
    );
  }
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal.aborted) {
      resolve();
      return;
    }
    let timer: NodeJS.Timeout | undefined = undefined;
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
