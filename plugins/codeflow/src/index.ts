/**
 * Container Cloud for Backstage: a service's volumes and config files on its catalog page, and every volume on the codeflow admin page.
 *
 * @packageDocumentation
 */
export { default } from './plugin';
