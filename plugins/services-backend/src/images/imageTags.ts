import { NotFoundError } from '@backstage/errors';
import {
  imageTagsQuerySchema,
  imageTagsSchema,
  serviceReadPermission,
} from '@internal/plugin-container-cloud-common';
import {
  ContainerCloudClusters,
  ImageRegistries,
  parseImageName,
} from '@internal/plugin-container-cloud-node';
import { SERVICE_PATH, ServiceRoute, serviceRoute } from '../lib/serviceRoutes';

export interface ImageTagsOptions {
  clusters: ContainerCloudClusters;
  registries: ImageRegistries;
}

/**
 * The tags the upgrade dialog offers: from the registry configured for the image's host, for an
 * image repository the service runs (the portal does not list other repositories).
 */
export function imageTagsRoute(options: ImageTagsOptions): ServiceRoute {
  const { clusters, registries } = options;
  return serviceRoute({
    method: 'get',
    path: `${SERVICE_PATH}/image-tags`,
    summary: 'The tags of an image repository the service runs',
    access: 'read',
    permission: serviceReadPermission,
    request: { query: imageTagsQuerySchema },
    response: {
      description: 'the tags, newest first',
      schema: imageTagsSchema,
      errors: { 503: 'the registry cannot be reached' },
    },
    handler: async ({ resource, query }) => {
      const { entityRef, binding } = resource;
      const wanted = parseImageName(query.image);
      const runs = clusters
        .serviceView(binding.kubernetesId, binding.visiblePlacements())
        .flatMap(c => c.deployments.flatMap(d => d.images.map(i => i.image)))
        .map(parseImageName)
        .some(
          name =>
            name.host === wanted.host && name.repository === wanted.repository,
        );
      if (!runs) {
        throw new NotFoundError(
          `${entityRef} runs no image from ${wanted.host}/${wanted.repository}`,
        );
      }
      return registries.tags(query.image);
    },
  });
}
