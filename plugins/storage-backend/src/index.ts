/**
 * Container Cloud for Backstage: volumes and config files of a service in every cluster it runs in (backend).
 *
 * @packageDocumentation
 */
export { storagePlugin as default } from './plugin';
