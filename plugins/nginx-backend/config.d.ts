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
      };
    };
  };
}
