import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  DeploymentTarget,
  DeploymentView,
  PodView,
} from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { ServicesApi, servicesApiRef } from '../api/ServicesClient';
import type { DeploymentAction } from '../components/DeploymentActions';

/** What the user asked of a Deployment or of one of its containers, in one cluster. */
export type ServiceOperation =
  | {
      scope: 'deployment';
      cluster: string;
      deployment: DeploymentView;
      action: DeploymentAction;
    }
  | {
      scope: 'pod';
      cluster: string;
      pod: PodView;
      action: 'destroy' | 'remove-from-lb';
    };

/** The banner above the clusters after an operation. */
export interface OperationOutcome {
  severity: 'success' | 'error' | 'warning';
  message: string;
}

type Call<A> = (
  api: ServicesApi,
  entity: CompoundEntityRef,
  target: DeploymentTarget,
  action: A,
) => Promise<unknown>;

/** Each Deployment action's backend call: adding an action adds a line here. */
const deploymentCalls: {
  [K in DeploymentAction['kind']]: Call<Extract<DeploymentAction, { kind: K }>>;
} = {
  scale: (api, entity, target, { replicas }) =>
    api.scale(entity, { ...target, replicas }),
  restart: (api, entity, target) => api.restart(entity, target),
  upgrade: (api, entity, target, { container, image }) =>
    api.upgrade(entity, { ...target, container, image }),
  rollback: (api, entity, target, { revision }) =>
    api.rollback(entity, { ...target, revision }),
  config: (api, entity, target, { change }) =>
    api.configure(entity, { ...target, ...change }),
  sync: (api, entity, target, { from }) =>
    api.sync(entity, {
      ...target,
      from: {
        cluster: from.cluster,
        namespace: target.namespace,
        deployment: target.deployment,
        resourceVersion: from.resourceVersion,
        generation: from.generation,
      },
    }),
};

/** Each container action's backend call and what the page says when it is done. */
const podCalls: Record<
  'destroy' | 'remove-from-lb',
  {
    call(
      api: ServicesApi,
      entity: CompoundEntityRef,
      request: { cluster: string; namespace: string; pod: string },
    ): Promise<void>;
    done(pod: string, cluster: string): string;
  }
> = {
  destroy: {
    call: (api, entity, request) => api.destroyContainer(entity, request),
    done: (pod, cluster) =>
      `${pod} in ${cluster} destroyed; its replacement is starting`,
  },
  'remove-from-lb': {
    call: (api, entity, request) =>
      api.removeFromLoadBalancing(entity, request),
    done: (pod, cluster) =>
      `${pod} in ${cluster} is out of load balancing and keeps running; its replacement is starting`,
  },
};

/** Sends the operation; resolves with what to tell the user. */
async function send(
  api: ServicesApi,
  entity: CompoundEntityRef,
  operation: ServiceOperation,
): Promise<string> {
  if (operation.scope === 'pod') {
    const { cluster, pod, action } = operation;
    await podCalls[action].call(api, entity, {
      cluster,
      namespace: pod.namespace,
      pod: pod.name,
    });
    return podCalls[action].done(pod.name, cluster);
  }
  const { cluster, deployment, action } = operation;
  const target = {
    cluster,
    namespace: deployment.namespace,
    deployment: deployment.name,
    resourceVersion: deployment.resourceVersion,
    generation: deployment.generation,
  };
  // the table's type pairs each kind with its own action; TypeScript cannot follow the pairing here
  const call = deploymentCalls[action.kind] as Call<DeploymentAction>;
  await call(api, entity, target, action);
  return `${action.kind} of ${target.deployment} in ${target.cluster} accepted`;
}

/** Someone changed the Deployment first: what it wants now, in words. */
function conflictMessage(error: ContainerCloudApiError): string {
  const now = error.current as DeploymentView;
  return `${error.message}. It now wants ${
    now.replicas.desired
  } replicas of ${now.images.map(i => i.image).join(', ')} (revision ${
    now.revision ?? '?'
  }); nothing was changed.`;
}

/**
 * Runs the service's operations, one at a time, and keeps the outcome to show. `perform` resolves
 * with whether the dialog that asked is done (it stays open after an error it can correct);
 * `onSettled` runs after every operation, so the page reads the service again.
 */
export function useServiceActions(
  entity: CompoundEntityRef,
  onSettled: () => void,
) {
  const api = useApi(servicesApiRef);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<OperationOutcome>();

  async function perform(operation: ServiceOperation): Promise<boolean> {
    setBusy(true);
    try {
      const message = await send(api, entity, operation);
      setOutcome({ severity: 'success', message });
      return true;
    } catch (e) {
      if (
        e instanceof ContainerCloudApiError &&
        e.status === 409 &&
        e.current
      ) {
        setOutcome({ severity: 'warning', message: conflictMessage(e) });
        return true;
      }
      setOutcome({ severity: 'error', message: (e as Error).message });
      // a container's confirmation has nothing to correct; a Deployment's form has
      return operation.scope === 'pod';
    } finally {
      setBusy(false);
      onSettled();
    }
  }

  return {
    busy,
    outcome,
    dismissOutcome: () => setOutcome(undefined),
    perform,
  };
}
