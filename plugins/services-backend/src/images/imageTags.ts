import type express from 'express';
import type { ServiceRouteContext } from '../lib/serviceRoutes';
import { NotFoundError } from '@backstage/errors';
import {
  imageTagsQuerySchema,
  serviceReadPermission,
} from '@internal/plugin-container-cloud-common';
import {
  ContainerCloudClusters,
  ImageRegistries,
  parseImageName,
} from '@internal/plugin-container-cloud-node';
import { parseBody } from '../lib/validation';

export interface ImageTagsOptions extends ServiceRouteContext {
  clusters: ContainerCloudClusters;
  registries: ImageRegistries;
}

/**
 * The tags the upgrade dialog offers: from the registry configured for the image's host, for an
 * image repository the service runs (the portal does not list other repositories).
 */
export function addImageTagsRoute(
  router: express.Router,
  options: ImageTagsOptions,
) {
  const { clusters, registries, loadService, authorize } = options;
  router.get('/services/:namespace/:name/image-tags', async (req, res) => {
    const { credentials, entityRef, binding } = await loadService(req, 'read');
    await authorize(serviceReadPermission, entityRef, credentials);
    const { image } = parseBody(imageTagsQuerySchema, req.query);
    const wanted = parseImageName(image);
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
    res.json(await registries.tags(image));
  });
}
