export interface Config {
  /**
   * The cluster list, in the format of Backstage's own kubernetes plugin, so one list serves both.
   * Container Cloud reads the `config` locator and the `serviceAccount` auth provider.
   */
  kubernetes?: {
    clusterLocatorMethods?: Array<{
      type: string;
      clusters?: Array<{
        /** unique name, shown to users */
        name: string;
        /** the apiserver's URL */
        url: string;
        authProvider?: string;
        /** @visibility secret */
        serviceAccountToken?: string;
        /** base64 PEM of the apiserver's CA */
        caData?: string;
        /** a file holding the apiserver's CA */
        caFile?: string;
        skipTLSVerify?: boolean;
      }>;
    }>;
  };
  containerCloud?: {
    /**
     * Registries the upgrade dialog reads image tags from (Registry API v2), by the host image
     * references name. Images from other hosts are typed by hand.
     */
    registries?: Array<{
      /** e.g. registry.example.com, or docker.io */
      host: string;
      /** the Registry API base URL; default https://<host> */
      url?: string;
      auth?: {
        type: 'basic' | 'bearer';
        username?: string;
        /** @visibility secret */
        password?: string;
        /** @visibility secret */
        token?: string;
      };
    }>;
    /**
     * Prometheus holding the containers' metrics (the kubelet's cAdvisor series, e.g.
     * `container_cpu_usage_seconds_total`). Without it, the Service tab shows no charts.
     */
    prometheus?: {
      /** e.g. http://prometheus.monitoring:9090; the local cloud writes its own */
      url?: string;
      /** the label that tells the clusters apart in the series. Default `cluster`. */
      clusterLabel?: string;
    };
    clusters?: {
      /**
       * How often cluster health (API latency, nodes ready) is probed, in seconds. Default 15.
       * A probe never starts while the one before still runs.
       */
      healthProbeSeconds?: number;
    };
    /**
     * How long the backend waits for a cluster, in seconds (above 0, fractions allowed). A cluster
     * that does not answer in time is a 503 naming the cluster; its health shows it unreachable.
     */
    kubernetes?: {
      timeouts?: {
        /** one API call (read, list, patch) to an apiserver. Default 30. */
        requestSeconds?: number;
        /** one health probe (the apiserver's version and its nodes). Default 10. */
        probeSeconds?: number;
        /** opening an exec WebSocket (a shell, a file download). Default 30. */
        execOpenSeconds?: number;
        /** a shell's exec WebSocket with no byte either way is closed after this. Default 900. */
        execIdleSeconds?: number;
        /** a command without a terminal (a file download) silent for this long is ended. Default 60. */
        commandIdleSeconds?: number;
      };
    };
    /**
     * Which catalog entities control which workloads (container-cloud-node README, "Which
     * workloads an entity controls").
     */
    binding?: {
      /**
       * Location refs (`type:target`) an entity's `backstage.io/managed-by-origin-location` must
       * equal, or start with when the entry ends in `*` (e.g. `url:https://github.com/acme/catalog/*`),
       * for the entity to claim a kubernetes id. Default: every `catalog.locations` entry as the
       * catalog resolves it (`file:` targets made absolute against the backend's working
       * directory) and `cmdb:<id>` for every `catalog.providers.cmdb.<id>`. Setting it replaces
       * the default. Entities from other origins control nothing.
       */
      trustedOrigins?: string[];
      /**
       * Origins trusted in addition to `trustedOrigins` (or its default), e.g. the git server
       * the scaffolder publishes new services to: `url:https://gitlab.example.com/services/*`.
       * Only for a host where nobody but the portal can write (the local cloud's git server takes
       * only the portal's credential).
       */
      additionalTrustedOrigins?: string[];
      /**
       * true: an entity without placements (annotation `container-cloud.io/placements` or
       * `placements` below) controls nothing. false (default): it controls its labelled workloads
       * in every namespace of every cluster. Production sets true.
       */
      requirePlacements?: boolean;
      /**
       * (cluster, namespace) pairs per entity ref, set by ops; they replace the entity's
       * annotation. E.g. `component:default/payments-api: [local-a/payments, local-b/payments]`; a cluster `*` means every cluster.
       */
      placements?: { [entityRef: string]: string[] };
      /**
       * Where each team may run services, set by ops: group ref → (cluster, namespace) pairs,
       * written as in `placements` (a cluster `*` means every cluster), e.g.
       * `group:default/team-payments: [local-a/payments, local-b/payments]`. A Component's
       * `container-cloud.io/placements` annotation (which whoever writes its file sets, e.g. a
       * golden-path template) then covers only what lies inside its owner group's entry; the
       * rest is dropped, and the service page says what and why. `placements` above (ops' own,
       * per entity) is never narrowed. The services backend offers these as deploy targets
       * (`GET /api/services/deploy-targets`).
       */
      teamPlacements?: { [groupRef: string]: string[] };
      /**
       * true: the annotation of a Component whose owner group has no `teamPlacements` entry
       * covers nothing, and a Component that names no placements at all (no annotation, no
       * `placements` entry) covers its owner group's grant instead of every namespace. false
       * (default): an annotation covers what it names, no placements every namespace, as before
       * team placements.
       */
      requireTeamPlacements?: boolean;
    };
  };
}
