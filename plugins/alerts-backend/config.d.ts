export interface Config {
  containerCloud?: {
    /** Alert rules, receivers, alerts and autoscaling (plugins/alerts-backend). */
    alerts?: {
      // src/rules: the Prometheus servers rule files are delivered to (prometheus[]) and the
      // PrometheusRule switch; src/receivers: Alertmanager; src/autoscaler: the loop's settings.
      // Each part documents its own keys here.
      /**
       * The Prometheus servers the alert rules are delivered to (src/rules): each service's rules
       * go, as one rule file per service, into the folder each one's `rule_files` reads, for the
       * clusters whose series it holds; then Prometheus is reloaded (`POST /-/reload`, it must run
       * with --web.enable-lifecycle) and its `/api/v1/rules` is read back to show the loaded
       * version.
       */
      prometheus?: Array<{
        /** a name the pages show (letters, digits, _ . -) */
        name: string;
        /** its base URL, e.g. http://prometheus:9090 (user:password@ for basic auth) */
        url: string;
        /** the clusters (names in kubernetes.clusterLocatorMethods) whose series it holds */
        clusters?: string[];
        /**
         * The folder its rule_files glob reads (`<folder>/*.yml`); the backend writes
         * `cc__<kind>__<namespace>__<name>.yml` there atomically. Leave it out for a Prometheus
         * run by the Prometheus Operator (see prometheusRule).
         */
        rulesDir?: string;
      }>;
      /** the promtool program every rule file is checked with before it is written; default `promtool` */
      promtool?: string;
      /**
       * Rules as Prometheus Operator `PrometheusRule` resources (monitoring.coreos.com/v1) in
       * the service's namespaces, for clusters whose Prometheus loads rules from the cluster.
       */
      prometheusRule?: {
        /** render PrometheusRule resources; default false */
        enabled?: boolean;
        /** labels the operator's ruleSelector matches, e.g. { prometheus: 'k8s' } */
        labels?: { [name: string]: string };
      };
      /** The alert rules' scheduled re-delivery (src/rules). */
      rules?: {
        /** seconds between rounds that deliver what a Prometheus missed; default 30 */
        redeliverySeconds?: number;
      };
      /**
       * Alertmanager (src/receivers): the backend renders receivers and routes into its
       * configuration file, checks it with amtool, writes it and reloads Alertmanager; it reads
       * alerts and silences from its API v2.
       */
      alertmanager?: {
        /** Alertmanager's base URL, e.g. http://alertmanager:9093 */
        url: string;
        /**
         * The configuration file Alertmanager loads (--config.file); the backend owns it and
         * rewrites it from the database. Leave it out to read alerts and silences only.
         */
        configFile?: string;
        /** the amtool program that checks the file before it is written; default `amtool` */
        amtool?: string;
        /**
         * The key receivers' secrets (SMTP passwords, bearer tokens, IM webhook URLs) are
         * encrypted under in the database (AES-256-GCM): 32 random bytes, base64 or hex (e.g.
         * `openssl rand -base64 32`). Without it, receivers with secrets are refused; rows saved
         * before it was set are encrypted when the backend starts.
         * @visibility secret
         */
        encryptionKey?: string;
        /**
         * The receiver (by name) of alerts no rule routes elsewhere (e.g. the clusters' health
         * alerts); default a receiver that sends nothing, `container-cloud-default`.
         */
        defaultReceiver?: string;
        /** The root route's grouping and timing (Alertmanager's route settings). */
        route?: {
          /** default ['alertname', 'cc_entity', 'cc_cluster'] */
          groupBy?: string[];
          /** default 30s */
          groupWait?: string;
          /** default 5m */
          groupInterval?: string;
          /** default 4h */
          repeatInterval?: string;
        };
        /** Defaults for email receivers (Alertmanager's global smtp_* settings). */
        smtp?: {
          /** host:port */
          smarthost?: string;
          from?: string;
          authUsername?: string;
          /** @visibility secret */
          authPassword?: string;
          requireTls?: boolean;
        };
        /**
         * How often a scheduled task checks that the file holds the database's configuration
         * and rewrites it when not (several replicas, a restore); default 1 minute.
         */
        syncIntervalSeconds?: number;
        /**
         * How often a scheduled task reads the alerts and signals the pages of services whose
         * alerts changed; default 15 seconds.
         */
        pollIntervalSeconds?: number;
        /** how long one call to Alertmanager or Prometheus may take; default 10000 */
        timeoutMs?: number;
      };
      /**
       * The multi-cluster autoscaler (src/autoscaler). It reads the pods' use from the Prometheus
       * servers of `prometheus[]` (each for its `clusters`), else from
       * `containerCloud.prometheus.url` for every cluster.
       */
      autoscaler?: {
        /** false: the loop is not scheduled (settings can still be saved); default true */
        enabled?: boolean;
        /** how often the loop runs (one backend replica at a time); default 30 */
        intervalSeconds?: number;
        /** no change while the use per replica is within this fraction of the target; default 0.1 */
        tolerance?: number;
        /** a scale-down goes no lower than the highest recommendation of this window; default 300 */
        scaleDownStabilizationSeconds?: number;
        /** the window of the CPU rate (at least two scrape intervals); default 60 */
        rateWindowSeconds?: number;
        /** decisions last seen longer ago are pruned; default 7 */
        decisionRetentionDays?: number;
        /** at most this many decisions are kept per service; default 200 */
        decisionsPerService?: number;
        /**
         * How a new total is split across the clusters a service runs in: 'share' (default) in
         * proportion to each cluster's current replicas; 'free-capacity' in proportion to each
         * cluster's free CPU (allocatable less requested on its schedulable nodes, listed through
         * the cluster layer once per cluster per cycle).
         */
        split?: 'share' | 'free-capacity';
      };
    };
  };
}
