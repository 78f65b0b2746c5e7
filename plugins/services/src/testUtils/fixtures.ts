import type { PodView } from '@internal/plugin-container-cloud-common';

/** The service the component tests show: the catalog's payments-api. */
export const paymentsApi = {
  kind: 'component',
  namespace: 'default',
  name: 'payments-api',
};

/** A running, ready pod of payments-api with one container, `app`; a test changes what it needs. */
export function runningPod(overrides: Partial<PodView> = {}): PodView {
  return {
    namespace: 'payments',
    name: 'payments-api-7d9-abcde',
    phase: 'Running',
    ready: true,
    restarts: 0,
    terminating: false,
    removedFromLoadBalancing: false,
    containers: [
      { name: 'app', image: 'x', ready: true, restarts: 0, state: 'running' },
    ],
    ...overrides,
  };
}
