import type { V1Pod } from '@kubernetes/client-node';
import type { ResourceAmounts } from '@internal/plugin-container-cloud-common';

const SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * A Kubernetes quantity (`250m`, `1.5`, `512Mi`, `1e3`) as a number; 0 for what is not one, as a
 * missing request counts nothing.
 */
export function parseQuantity(quantity: string | number | undefined): number {
  if (quantity === undefined) return 0;
  if (typeof quantity === 'number') return quantity;
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]{0,2})$/.exec(
    quantity.trim(),
  );
  if (!match) return 0;
  const factor = SUFFIXES[match[2]];
  if (factor === undefined) return 0;
  const value = Number(match[1]) * factor;
  return Number.isFinite(value) ? value : 0;
}

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

/** `{ cpu, memory }` of a resource list (allocatable, requests). */
export function amountsOf(
  list: Record<string, string> | undefined,
): ResourceAmounts {
  return {
    cpuCores: parseQuantity(list?.cpu),
    memoryBytes: parseQuantity(list?.memory),
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
