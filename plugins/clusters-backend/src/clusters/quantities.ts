import type { V1Pod } from '@kubernetes/client-node';
import {
  parseQuantity,
  type ResourceAmounts,
} from '@internal/plugin-container-cloud-common';

/** Nothing yet. */
export const NO_RESOURCES: ResourceAmounts = { cpuCores: 0, memoryBytes: 0 };

/** Sums amounts. */
export function addAmounts(...amounts: ResourceAmounts[]): ResourceAmounts {
  return amounts.reduce(
    (sum, a) => ({
      cpuCores: sum.cpuCores + a.cpuCores,
      memoryBytes: sum.memoryBytes + a.memoryBytes,
    }),
    NO_RESOURCES,
  );
}

/** Scales amounts (a replica's requests times the replicas). */
export function times(amount: ResourceAmounts, n: number): ResourceAmounts {
  return { cpuCores: amount.cpuCores * n, memoryBytes: amount.memoryBytes * n };
}

/**
 * `{ cpu, memory }` of a resource list (allocatable, requests); what is missing or no quantity
 * counts nothing, as a missing request does.
 */
export function amountsOf(
  list: Record<string, string> | undefined,
): ResourceAmounts {
  return {
    cpuCores: parseQuantity(list?.cpu) ?? 0,
    memoryBytes: parseQuantity(list?.memory) ?? 0,
  };
}

/**
 * What a pod template asks for, as the scheduler counts it: the sum of its containers' requests,
 * or its largest init container's when that is more, per resource.
 */
export function podRequests(spec: V1Pod['spec']): ResourceAmounts {
  const containers = addAmounts(
    ...(spec?.containers ?? []).map(c =>
      amountsOf(c.resources?.requests as Record<string, string> | undefined),
    ),
  );
  const inits = (spec?.initContainers ?? []).map(c =>
    amountsOf(c.resources?.requests as Record<string, string> | undefined),
  );
  return {
    cpuCores: Math.max(containers.cpuCores, ...inits.map(i => i.cpuCores)),
    memoryBytes: Math.max(
      containers.memoryBytes,
      ...inits.map(i => i.memoryBytes),
    ),
  };
}

/** Whether a pod still holds its node's resources (it is bound and has not ended). */
export function holdsResources(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return (
    Boolean(pod.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed'
  );
}
