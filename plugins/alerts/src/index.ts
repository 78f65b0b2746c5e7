/**
 * Container Cloud for Backstage: the Alerts tab of a service, the alerts admin page and
 * autoscaling.
 *
 * @packageDocumentation
 */
export { default } from './plugin';
