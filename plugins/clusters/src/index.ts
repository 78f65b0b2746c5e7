/**
 * Container Cloud for Backstage: the clusters, metering and audit admin pages.
 *
 * @packageDocumentation
 */
export { default } from './plugin';
