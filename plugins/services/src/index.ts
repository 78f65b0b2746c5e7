/**
 * Container Cloud service management: the Service tab on a Component's page.
 *
 * @packageDocumentation
 */
export { default } from './plugin';
export * from './api/ServicesClient';
export * from './api/ShellClient';
export * from './api/DebugClient';
export * from './api/ImageTagsClient';
export * from './api/EveryClusterClient';
