/**
 * Container Cloud for Backstage: the App store page — charts, install forms, instances and the
 * admin view.
 *
 * @packageDocumentation
 */
export { default } from './plugin';
