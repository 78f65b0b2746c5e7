/**
 * The services API: what the services backend returns and accepts is its contract, in
 * `contract/` (zod schemas, and the types derived from them). What is left here is what is no
 * wire shape: the names of labels and annotations, and what a log request means to a client.
 */

/** The label (and annotation) that ties Kubernetes workloads to a catalog Component. @public */
export const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';

/**
 * The signal channel on which the services backend announces that a service's Deployments or
 * pods changed, and to which its page listens. @public
 */
export function serviceSignalChannel(kubernetesId: string): string {
  return `container-cloud.services.${kubernetesId}`;
}

/**
 * The label naming the storage type a PersistentVolumeClaim was made of (the storage module puts
 * it on every claim it makes; failover reads it to make the same kind of claim in another
 * cluster). A claim without it is not one the storage module made.
 * @public
 */
export const STORAGE_TYPE_LABEL = 'container-cloud.io/storage-type';

/** The annotation a trusted entity lists its (cluster, namespace) pairs in. @public */
export const PLACEMENTS_ANNOTATION = 'container-cloud.io/placements';

/**
 * Which container's logs, and how many lines, as a client asks for them (the query string of
 * the log routes, `logQuerySchema`, before it is written as text).
 * @public
 */
export interface LogRequest {
  cluster: string;
  namespace: string;
  pod: string;
  /** may be left out when the pod has one container */
  container?: string;
  /** the last N lines, 1 to {@link MAX_LOG_TAIL_LINES}; 500 when left out */
  tailLines?: number;
  /** the logs of the container's instance before its last restart */
  previous?: boolean;
  /** prefix each line with the runtime's timestamp */
  timestamps?: boolean;
}
