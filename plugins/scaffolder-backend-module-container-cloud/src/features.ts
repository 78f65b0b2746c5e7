import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import { localGitUrlReaderFactory } from './actions/publishLocalGitReader';
import { scaffolderModuleContainerCloud } from './module';

/**
 * The scaffolder module, and the URL reader of the local cloud's git server (it reads nothing
 * unless `containerCloud.codeflow.git` is configured), so the catalog can read what
 * `publish:container-cloud:local-git` pushed: `backend.add(import(...))` adds both.
 * @public
 */
export const containerCloudScaffolderFeatures = createBackendFeatureLoader({
  *loader() {
    yield scaffolderModuleContainerCloud;
    yield localGitUrlReaderFactory;
  },
});
