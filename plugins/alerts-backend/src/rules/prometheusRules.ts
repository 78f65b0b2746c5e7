import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { ContainerCloudClustersService } from '@internal/plugin-container-cloud-node';
import { renderPrometheusRule, RuleSetToRender } from './render';

/** What happened to the PrometheusRule of one (cluster, namespace). */
export interface PrometheusRuleOutcome {
  cluster: string;
  namespace: string;
  ok: boolean;
  message: string;
}

const FIELD_MANAGER = 'container-cloud-alerts';

/**
 * Applies a service's rules as `PrometheusRule` resources (server-side apply, our own field
 * manager), one per (cluster, namespace) it runs in, for clusters whose Prometheus Operator
 * loads rules from the cluster. A cluster without the CRD says so instead of failing the save.
 */
export async function applyPrometheusRules(
  clusters: ContainerCloudClustersService,
  set: RuleSetToRender,
  clusterLabel: string,
  labels: Record<string, string>,
): Promise<PrometheusRuleOutcome[]> {
  return Promise.all(
    set.targets.map(async ({ cluster, namespace }) => {
      const resource = renderPrometheusRule(set, clusterLabel, {
        cluster,
        namespace,
        labels,
      });
      try {
        const api = clusters
          .connection(cluster)
          .kubeConfig.makeApiClient(CustomObjectsApi);
        await api.patchNamespacedCustomObject(
          {
            group: 'monitoring.coreos.com',
            version: 'v1',
            namespace,
            plural: 'prometheusrules',
            name: resource.metadata.name,
            body: resource,
            fieldManager: FIELD_MANAGER,
            force: true,
          },
          setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
        );
        return {
          cluster,
          namespace,
          ok: true,
          message: `PrometheusRule ${resource.metadata.name} applied (version ${set.version})`,
        };
      } catch (error) {
        const code = (error as { code?: number }).code;
        return {
          cluster,
          namespace,
          ok: false,
          message:
            code === 404
              ? `cluster ${cluster} has no PrometheusRule resource type (monitoring.coreos.com/v1): is the Prometheus Operator installed?`
              : `cluster ${cluster} refused the PrometheusRule: ${
                  (error as Error).message
                }`,
        };
      }
    }),
  );
}
