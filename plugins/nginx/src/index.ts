/**
 * Container Cloud nginx configuration management: the admin page at /nginx and the Domains tab on
 * a Component's page.
 *
 * @packageDocumentation
 */
export { default } from './plugin';
export * from './api/NginxClient';
