import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { backendError, serviceUrl } from './serviceHttp';

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

/** Reads image tags through the services backend (which asks the configured registry). @public */
export class ImageTagsClient implements ImageTagsApi {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  async tags(entity: CompoundEntityRef, image: string): Promise<ImageTagList> {
    const res = await this.fetchApi.fetch(
      await serviceUrl(
        this.discoveryApi,
        entity,
        `/image-tags?${new URLSearchParams({ image })}`,
      ),
    );
    if (!res.ok) throw await backendError(res);
    return res.json();
  }
}
