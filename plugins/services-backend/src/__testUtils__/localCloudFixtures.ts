import type { LocalCloudInfo } from '@internal/local-cloud';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  V1Pod,
} from '@kubernetes/client-node';

/**
 * A Deployment of one service for the local cloud's kwok nodes: labelled with the service's
 * `backstage.io/kubernetes-id`, selected by `app=<name>`, one replica unless told otherwise.
 */
export function serviceDeployment(options: {
  namespace: string;
  name: string;
  kubernetesId: string;
  containers?: Array<{ name: string; image: string; resources?: object }>;
  annotations?: Record<string, string>;
  replicas?: number;
}) {
  const { namespace, name, kubernetesId } = options;
  const labels = { app: name, 'backstage.io/kubernetes-id': kubernetesId };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: options.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels, annotations: options.annotations },
        spec: {
          containers: options.containers ?? [
            { name: 'app', image: `registry.example.com/${name}:1.0.0` },
          ],
        },
      },
    },
  };
}

/** The local cloud's clusters in `kubernetes.clusterLocatorMethods` form, as the portal reads them. */
export function clusterLocators(clusters: LocalCloudInfo['clusters']) {
  return clusters.map(c => ({
    name: c.name,
    url: c.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: c.serviceAccountToken,
    caData: c.caData,
  }));
}

/** Calls `read` until it gives a value (or fails loudly, naming what never happened). */
export async function poll<T>(
  what: string,
  read: () => Promise<T | undefined>,
  options: { attempts?: number; intervalMs?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 120;
  for (let i = 0; i < attempts; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise(resolve =>
      setTimeout(resolve, options.intervalMs ?? 500),
    );
  }
  throw new Error(`${what} never happened`);
}

/**
 * A Deployment's resourceVersion as a page that shows it at rest would send it: once its rollout
 * is complete. (Every change moves a resourceVersion, the controller's status updates during a
 * rollout too, and a write at an older one is a 409 by design.)
 */
export async function versionAtRest(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
): Promise<string> {
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  return poll(`deployment ${namespace}/${name} at rest`, async () => {
    const d = await apps.readNamespacedDeployment({ name, namespace });
    const wanted = d.spec?.replicas ?? 1;
    const status = d.status ?? {};
    // the controller marks a finished rollout in its Progressing condition, in a status write of
    // its own after the counts are right: until then the version still moves
    const progressing = status.conditions?.find(c => c.type === 'Progressing');
    const atRest =
      (!progressing || progressing.reason === 'NewReplicaSetAvailable') &&
      status.observedGeneration === d.metadata?.generation &&
      (status.replicas ?? 0) === wanted &&
      (status.updatedReplicas ?? 0) === wanted &&
      (status.readyReplicas ?? 0) === wanted &&
      (status.availableReplicas ?? 0) === wanted;
    return atRest ? d.metadata!.resourceVersion! : undefined;
  });
}

/** The name of a pod of the service whose containers all run (kwok started them). */
export async function runningPod(
  kubeConfig: KubeConfig,
  namespace: string,
  kubernetesId: string,
): Promise<string> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return poll(`a running pod of ${kubernetesId} in ${namespace}`, async () => {
    const pods = await core.listNamespacedPod({
      namespace,
      labelSelector: `backstage.io/kubernetes-id=${kubernetesId}`,
    });
    return pods.items.find((p: V1Pod) =>
      p.status?.containerStatuses?.every(s => s.state?.running),
    )?.metadata?.name;
  });
}
