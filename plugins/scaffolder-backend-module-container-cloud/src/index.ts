/**
 * Container Cloud for Backstage: the suite's operations as scaffolder actions.
 *
 * @packageDocumentation
 */
export { containerCloudScaffolderFeatures as default } from './features';
export { scaffolderModuleContainerCloud } from './module';
export { localGitUrlReaderFactory } from './actions/publishLocalGitReader';
