/**
 * Container Cloud for Backstage: the suite's operations as scaffolder actions.
 *
 * @packageDocumentation
 */
export { scaffolderModuleContainerCloud as default } from './module';
export { localGitUrlReaderFactory } from './actions/publishLocalGitReader';
