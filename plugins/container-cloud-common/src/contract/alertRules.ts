/**
 * The alert rules API (plugins/alerts-backend, src/rules): a service's rules, their versions,
 * and their delivery to each Prometheus.
 */
export {};
