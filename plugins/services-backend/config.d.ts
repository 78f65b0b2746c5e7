export interface Config {
  containerCloud?: {
    services?: {
      /** The most replicas a user may scale a Deployment to. Default 50. */
      maxReplicas?: number;
      /**
       * How long (seconds) a person's read of a service (the catalog entity, what it controls
       * and the permission decisions of the service's GET routes) is remembered before it is
       * looked up and asked again. Reads only: operations and changes are checked on every
       * request, refusals are never remembered, and the token is verified every time. A revoked
       * read (a new owner, a changed policy) answers for up to this long. Default 5; 0 checks
       * every read.
       */
      readCacheSeconds?: number;
      /** The service view (`GET /services/:namespace/:name`). */
      view?: {
        /**
         * The rebuild floor: while a service keeps changing, its view is rebuilt and serialised
         * at most once in this many milliseconds, however many pages read it (a page may be that
         * much late; a live update follows once the floor has passed, so the page catches up).
         * Default 0 (rebuilt on every change). Worth 1000 for services of thousands of pods
         * with many viewers; see docs/benchmarks.md.
         */
        minRebuildMs?: number;
      };
      logs?: {
        /**
         * How many live log follows one user may hold open at once (each keeps a connection
         * to an apiserver open). Default 5; one more is answered 429.
         */
        maxFollowsPerUser?: number;
        /**
         * How many live log follows the whole portal holds open at once, over every backend
         * replica. Default 200; one more is answered 429.
         */
        maxFollows?: number;
      };
      debug?: {
        /**
         * Tools images a debug container may run (image references). Default:
         * nicolaka/netshoot:v0.13 (tcpdump, dig, curl, database clients) and busybox:1.36.
         */
        images?: string[];
      };
      history?: {
        /**
         * Days the history keeps a pod after it ended (running pods are always kept); older ones
         * are forgotten every 6 hours. A whole number, at least 1. Default 90.
         */
        retentionDays?: number;
      };
      files?: {
        /**
         * Folders whose files users may download from inside a running container, matched on
         * whole path segments (`/var/log` and `/var/log/` allow `/var/log/app.log`, not
         * `/var/logs-x/a.log`), and checked again in the container on the path `realpath`
         * resolves. Default: /var/log/, /logs/, /app/logs/, /tmp/.
         */
        allowedPaths?: string[];
        /** The largest file a download returns, in MiB. Default 100. */
        maxMegabytes?: number;
      };
      shell?: {
        /** Web shells one user may hold open at once. Default 3; one more is answered 409. */
        maxSessionsPerUser?: number;
        /** Web shells open at once in one backend. Default 50. */
        maxSessions?: number;
        /** A shell with no input and no page reading it is closed after this. Default 15. */
        idleTimeoutMinutes?: number;
        /**
         * Output streams one shell may have open at once (each costs a copy of all its output);
         * one more is answered 409. Default 3.
         */
        maxReadersPerSession?: number;
        /**
         * Shells into a container that runs as root switch to this user where the image allows
         * (setpriv or su); the page says when it cannot. Default uid and gid 65534 (nobody).
         * `false` keeps the container's user. Debug containers keep their tools image's user.
         */
        nonRoot?: false | { uid?: number; gid?: number };
        /**
         * This backend replica's own base URL as the other replicas reach it, e.g.
         * `http://${POD_IP}:7007`. A shell's apiserver connection lives in the replica that
         * opened it; its other requests, reaching any replica through the load balancer, are
         * passed there (the plugin's database says which replica holds which shell). Default:
         * `http://127.0.0.1:<backend.listen.port>`, which serves replicas on one machine.
         */
        replicaUrl?: string;
      };
    };
  };
}
