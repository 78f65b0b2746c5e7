export { FiringAlertsCard } from './FiringAlertsCard';
export { AlertSourcesNotice } from './AlertSourcesNotice';
export { alertColumns, metricsHref } from './alertColumns';
