/**
 * Container Cloud for Backstage: clusters, cluster health, failover, metering and the audit log for ops (backend).
 *
 * @packageDocumentation
 */
export { clustersPlugin as default } from './plugin';
