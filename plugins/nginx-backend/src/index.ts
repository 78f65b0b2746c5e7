/**
 * Nginx configuration management for Container Cloud (backend).
 *
 * @packageDocumentation
 */
export { nginxPlugin as default } from './plugin';
export type { Domain } from '@internal/plugin-container-cloud-common';
