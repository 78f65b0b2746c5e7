/**
 * Container Cloud for Backstage: alert rules, receivers, alerts, silences and the multi-cluster
 * autoscaler.
 *
 * @packageDocumentation
 */
export { alertsPlugin as default } from './plugin';
