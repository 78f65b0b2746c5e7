export interface Config {
  containerCloud?: {
    nginx?: {
      /**
       * The nginx binary used for `nginx -t` checks.
       * @default /usr/sbin/nginx
       */
      binary?: string;
      /**
       * How long `nginx -t` may take; nginx parses the whole cluster's config.
       * @default 120
       */
      checkTimeoutSeconds?: number;
      /**
       * IPv4 ranges the owners of a domain may not point its upstream members at (ops admins
       * may): an owner's edit publishes at once, so a public domain must not lead inside the
       * platform. Addresses are read as resolvers read them (`2130706433`, `0177.0.0.1`,
       * `0x7f.1`, `localhost`); the apiservers' own address and port are always refused. A
       * hostname DNS resolves is not checked. Replaces the default list.
       * @default ["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16"]
       */
      forbiddenMemberRanges?: string[];
      /** Where the local cloud's nginx answers (written by local-cloud; informational). */
      url?: string;
      /** The local cloud's conf.d folder (written by local-cloud; its `local` cluster delivers there). */
      confDir?: string;
      /** The nginx clusters this backend publishes to. */
      clusters?: Array<{
        /** lowercase letters, digits and '-' */
        name: string;
        /** e.g. production, test */
        environment?: string;
        /**
         * A cluster of one node: where its rendered `<domain>.conf` files are written (the
         * plugin owns only the files it wrote there). Use `nodes` for several.
         */
        confDir?: string;
        /** argv run without a shell after the files are written, e.g. ["nginx", "-s", "reload"] */
        reloadCommand?: string[];
        /** The cluster's nodes, each delivered to and reloaded on its own. */
        nodes?: Array<{
          name: string;
          confDir: string;
          reloadCommand: string[];
        }>;
        /**
         * Further tries, 1 s apart, for a node whose delivery failed.
         * @default 2
         */
        deliveryRetries?: number;
        /**
         * How long the reload command may take (`nginx -s reload` parses the whole config first).
         * @default 120
         */
        reloadTimeoutSeconds?: number;
      }>;
      /**
       * Test environments: every catalog Component with a `backstage.io/kubernetes-id`
       * annotation and a Kubernetes Service of that name gets `<service>.<environment>.<wildcardDomain>`
       * on this nginx cluster.
       */
      testEnvironments?: {
        /** the nginx cluster that the wildcard DNS entry points at */
        cluster: string;
        /** e.g. test.example.com */
        wildcardDomain: string;
        /** @default test */
        environment?: string;
        /**
         * The port the test environment servers listen on.
         * @default 80
         */
        port?: number;
        /** The IPv4 address they listen on (e.g. 127.0.0.1); all addresses when unset. */
        address?: string;
        /**
         * How often the test environments are synced (a domain added for each new service,
         * removed for each service gone, published together), under the scheduler so one replica
         * runs it: `{ minutes: 5 }`, `{ seconds: 5 }`, `'5m'` or `'PT5M'`; at least one second.
         * The first sync runs this long after start-up, or after 30 s when it is longer.
         * `POST /test-environments/sync` (ops) syncs at once.
         * @default { minutes: 5 }
         */
        frequency?:
          | {
              hours?: number;
              minutes?: number;
              seconds?: number;
              milliseconds?: number;
            }
          | string;
      };
    };
  };
}
