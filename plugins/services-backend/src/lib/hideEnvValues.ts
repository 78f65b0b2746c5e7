import type { ClusterServiceView } from '@internal/plugin-container-cloud-common';

/** What a reader who may not edit a service's configuration sees instead of an env value. */
export const HIDDEN_ENV_VALUE = '<hidden>';

/**
 * The clusters' views with every plain env value replaced by HIDDEN_ENV_VALUE (names kept), for
 * readers who are not the service's owners or ops: env values often hold passwords and tokens.
 * The views are the watch caches' own objects, shared by every reader: they are copied, never
 * changed.
 */
export function hideEnvValues(
  views: ClusterServiceView[],
): ClusterServiceView[] {
  return views.map(view => ({
    ...view,
    deployments: view.deployments.map(deployment => ({
      ...deployment,
      config: {
        ...deployment.config,
        containers: deployment.config.containers.map(container => ({
          ...container,
          env: container.env.map(({ name }) => ({
            name,
            value: HIDDEN_ENV_VALUE,
          })),
        })),
      },
    })),
  }));
}
