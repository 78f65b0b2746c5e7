/**
 * The Container Cloud cluster layer for backend plugins: the cluster list from app-config (in
 * Backstage's kubernetes format), watch caches per cluster, health, and writes with preconditions.
 *
 * @packageDocumentation
 */

export * from './ContainerCloudClusters';
export * from './clusters/ContainerCloudClustersService';
export * from './clusters/readClusterConfig';
export * from './clusters/ClusterConnection';
export * from './workloads/ClusterWatch';
export * from './watch/RestartingWatch';
export * from './watch/WatchedKind';
export * from './watch/boundedListWatch';
export * from './workloads/DeploymentOperations';
export * from './workloads/views';
export * from './workloads/diagnose';
export * from './workloads/PodOperations';
export * from './workloads/PodExec';
export * from './workloads/PodDebug';
export * from './registry/ImageRegistries';
export * from './workloads/PodLogs';
export * from './workloads/ServiceEvents';
export * from './metrics/PrometheusClient';
export * from './metrics/containerUsage';
export * from './auth/principals';
export * from './redact';
export * from './crypto/SecretBox';
export * from './binding/bindingConfig';
export * from './binding/ServiceBinding';
export * from './binding/ServiceBindings';
export * from './binding/ownedTargets';
export * from './routes';
export * from './audit';
