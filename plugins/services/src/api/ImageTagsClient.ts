import type { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import { BackendApis, fetchJson } from '@internal/plugin-container-cloud-react';
import { servicePath } from './servicePath';

/** The tags of an image's repository, newest version first. @public */
export interface ImageTagList {
  host: string;
  repository: string;
  tags: string[];
  truncated: boolean;
}

/** @public */
export interface ImageTagsApi {
  tags(entity: CompoundEntityRef, image: string): Promise<ImageTagList>;
}

/** @public */
export const imageTagsApiRef = createApiRef<ImageTagsApi>({
  id: 'plugin.container-cloud.services.image-tags',
});

/** Reads image tags through the services backend (which asks the configured registry). @public */
export class ImageTagsClient implements ImageTagsApi {
  constructor(private readonly deps: BackendApis) {}

  tags(entity: CompoundEntityRef, image: string): Promise<ImageTagList> {
    return fetchJson(
      this.deps,
      'services',
      servicePath(entity, '/image-tags'),
      {
        query: { image },
      },
    );
  }
}
