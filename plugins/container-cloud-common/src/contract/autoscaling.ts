/**
 * The autoscaling API (plugins/alerts-backend, src/autoscaler): a service's autoscaling settings
 * and the autoscaler's decisions.
 */
export {};
