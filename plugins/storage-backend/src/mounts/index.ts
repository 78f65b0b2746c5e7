/**
 * Mounting pod volumes (claims, ConfigMaps, Secrets) into a service's Deployments in every
 * cluster it runs in: one JSON patch per Deployment guarded by its resourceVersion, refused as a
 * whole before any write (paths, shadowed mounts), rolled back when one cluster fails. Shared by
 * the volumes and the config files of the storage plugin.
 */
export {
  changeInEveryCluster,
  mountInEveryCluster,
  unmountInEveryCluster,
  serviceDeployments,
  throwUnlessApplied,
} from './mountInEveryCluster';
export type {
  ChangeRequest,
  DeploymentTarget,
  MountRequest,
  MountResult,
  UnmountRequest,
} from './mountInEveryCluster';
export {
  podMounts,
  claimOfVolume,
  shadows,
  templatePatch,
} from './podSpecPatch';
export type { ContainerMount, MountSpec, PodVolume } from './podSpecPatch';
export {
  claimVolume,
  objectVolume,
  podSpecWorkloads,
  workloadLabel,
  workloadsWithVolume,
} from './workloads';
export type { PodSpecWorkload, WorkloadKind } from './workloads';
