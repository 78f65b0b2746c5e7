import {
  AutoscalingV2Api,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type {
  WatchedKind,
  WatchedObjects,
} from '@internal/plugin-container-cloud-node';

/** Every HorizontalPodAutoscaler (autoscaling/v2) of a cluster, watched. */
export const horizontalPodAutoscalers: WatchedKind<V2HorizontalPodAutoscaler> =
  {
    name: 'HorizontalPodAutoscaler',
    path: '/apis/autoscaling/v2/horizontalpodautoscalers',
    list: connection =>
      connection.kubeConfig
        .makeApiClient(AutoscalingV2Api)
        .listHorizontalPodAutoscalerForAllNamespaces(),
  };

/** The HPA that scales this Deployment, if one does. */
export function hpaTargeting(
  hpas: WatchedObjects<V2HorizontalPodAutoscaler>,
  namespace: string,
  deployment: string,
): V2HorizontalPodAutoscaler | undefined {
  return hpas
    .list(namespace)
    .find(
      hpa =>
        hpa.spec?.scaleTargetRef?.kind === 'Deployment' &&
        hpa.spec.scaleTargetRef.name === deployment &&
        (hpa.spec.scaleTargetRef.apiVersion ?? 'apps/v1').startsWith('apps/'),
    );
}

/** Why the autoscaler leaves a Deployment an HPA scales alone, in words. */
export function hpaRefusal(
  cluster: string,
  namespace: string,
  deployment: string,
  hpa: V2HorizontalPodAutoscaler,
): string {
  return `Deployment ${namespace}/${deployment} in cluster ${cluster} is scaled by the HorizontalPodAutoscaler '${hpa.metadata?.name}': the autoscaler does not fight it. Delete that HPA, or leave autoscaling off for this Deployment.`;
}
