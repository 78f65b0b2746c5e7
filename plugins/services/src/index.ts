/**
 * Container Cloud service management: the Service tab on a Component's page.
 *
 * @packageDocumentation
 */
export { default } from './plugin';
export * from './api/ServicesClient';
