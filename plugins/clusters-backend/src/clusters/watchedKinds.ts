import type {
  V1Deployment,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
} from '@kubernetes/client-node';
import { KUBERNETES_ID_LABEL } from '@internal/plugin-container-cloud-common';
import type { WatchedKind } from '@internal/plugin-container-cloud-node';

/**
 * The kinds the clusters page watches beside the workloads the cluster layer always watches
 * (`watchKind`: one watch per cluster however many replicas' routes read it).
 */

/** Every node: readiness, cordons, allocatable. */
export const nodesKind: WatchedKind<V1Node> = {
  name: 'Node',
  path: '/api/v1/nodes',
  list: connection => connection.core.listNode(),
};

/** Every pod of every namespace: what is requested on each node, pods by phase. */
export const allPodsKind: WatchedKind<V1Pod> = {
  name: 'Pod:all',
  path: '/api/v1/pods',
  list: connection => connection.core.listPodForAllNamespaces(),
};

/**
 * The services' Deployments, whole (the cluster layer's views keep no pod template): what a
 * failover copies, known from the cache even while the cluster is unreachable.
 */
export const serviceDeploymentsKind: WatchedKind<V1Deployment> = {
  name: 'Deployment:services',
  path: '/apis/apps/v1/deployments',
  labelSelector: KUBERNETES_ID_LABEL,
  indexLabel: KUBERNETES_ID_LABEL,
  list: (connection, labelSelector) =>
    connection.apps.listDeploymentForAllNamespaces({ labelSelector }),
};

/**
 * The services' PersistentVolumeClaims (the storage module labels each with the service's
 * kubernetes id and its storage type): which claims a failover makes in the target, known from
 * the cache even while the source is unreachable.
 */
export const serviceClaimsKind: WatchedKind<V1PersistentVolumeClaim> = {
  name: 'PersistentVolumeClaim:services',
  path: '/api/v1/persistentvolumeclaims',
  labelSelector: KUBERNETES_ID_LABEL,
  indexLabel: KUBERNETES_ID_LABEL,
  list: (connection, labelSelector) =>
    connection.core.listPersistentVolumeClaimForAllNamespaces({
      labelSelector,
    }),
};
