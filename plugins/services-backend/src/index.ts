/**
 * Service management for Container Cloud: the backend of the service page.
 *
 * @packageDocumentation
 */
export { servicesPlugin as default } from './plugin';
