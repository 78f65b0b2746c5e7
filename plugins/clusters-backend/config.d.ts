export interface Config {
  containerCloud?: {
    /** The audit log (plugins/clusters-backend, "Audit log"). */
    audit?: {
      /**
       * The plugins whose audit events the audit log stores (read by the suite's auditor,
       * containerCloudAuditorServiceFactory). Default: services, nginx, storage, clusters, alerts,
       * app-store, codeflow, scaffolder. Backstage's own audit output keeps every plugin's events.
       * @visibility backend
       */
      plugins?: string[];
      /**
       * How many days an audit event is kept; older ones are deleted hourly. Default 365.
       * @visibility backend
       */
      retentionDays?: number;
    };
    /** Resource metering per service and team (plugins/clusters-backend, "Metering"). */
    metering?: {
      /**
       * Minutes between two samples of every service (requests from the watch caches, usage from
       * Prometheus). Default 5; 0 turns sampling off.
       * @visibility backend
       */
      intervalMinutes?: number;
      /**
       * Days the per-interval samples are kept (hourly roll-ups are kept 4 times as long, daily
       * ones 16 times). Default 30.
       * @visibility backend
       */
      retentionDays?: number;
    };
    /** The clusters page, its health controller and failover (plugins/clusters-backend, "Clusters and failover"). */
    clusters?: {
      /** The cluster health controller (a scheduled task, one replica at a time). */
      health?: {
        /**
         * Seconds between two checks of every cluster's probe. Default 15.
         * @visibility backend
         */
        checkIntervalSeconds?: number;
        /**
         * How long a cluster must stay unreachable, or below minReadyNodesFraction, before it is
         * marked unhealthy and an alert is raised. Default 120.
         * @visibility backend
         */
        unhealthyAfterSeconds?: number;
        /**
         * How long an unhealthy cluster must look well before it is healthy again. Default 60.
         * @visibility backend
         */
        healthyAfterSeconds?: number;
        /**
         * Below this share of ready nodes (0..1) a cluster is in trouble. Default 0.5.
         * @visibility backend
         */
        minReadyNodesFraction?: number;
        /**
         * false: raise no alerts in Alertmanager (containerCloud.alerts.alertmanager.url, else
         * containerCloud.alertmanager.url), only in the backend log and on the page. Default true.
         * @visibility backend
         */
        alertmanager?: boolean;
        /**
         * The alerts module's receivers (their names: lowercase letters, digits and dashes) a
         * cluster's health alert goes to: sent as its label `cc_receivers: ",a,b,"`, which the
         * alerts module's Alertmanager routes match. Default none (Alertmanager's default route).
         * @visibility backend
         */
        receivers?: string[];
      };
      /** Moving services off a cluster. */
      failover?: {
        /**
         * Seconds a moved service may take to be ready in the target before its step fails (the
         * source then keeps its replicas). Default 300.
         * @visibility backend
         */
        readinessTimeoutSeconds?: number;
        /**
         * Services scaled up in the target at once. Default 5.
         * @visibility backend
         */
        concurrency?: number;
      };
    };
  };
}
