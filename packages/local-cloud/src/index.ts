/**
 * A real local container cloud for development and tests: two Kubernetes clusters built from the
 * Go module proxy (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok fake
 * nodes), Debian's nginx, Prometheus and Alertmanager, all on 127.0.0.1.
 *
 * @packageDocumentation
 */
export { LocalCloud } from './LocalCloud';
export type {
  ComponentStatus,
  LocalCloudCluster,
  LocalCloudInfo,
} from './LocalCloud';
export { LocalCloudError } from './errors';
export { portalDataAppConfig } from './portalData';
export { LOCAL_CLOUD_VERSIONS } from './settings';
export type {
  ClusterPorts,
  LocalCloudClusterName,
  LocalCloudOptions,
  LocalCloudSettings,
} from './settings';
export type { KubeEndpoint, KubeResponse, KubeRest } from './kubeRest';
export type { SeedResult } from './seed';
export { LocalGitServer, LOCAL_GIT_CREDENTIAL } from './gitServer';
export type { LocalGitCredentials, LocalGitRepository } from './gitServer';
export type { GitSeedResult } from './gitSeed';
