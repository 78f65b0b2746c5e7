export interface Config {
  containerCloud?: {
    /** Codeflows (plugins/codeflow-backend). Each part documents its own keys here. */
    codeflow?: {
      /**
       * The build images a codeflow may choose, by id (JDK, Node, Python, Go, plain). Leave out
       * for the defaults: JDK 8/11/17/21 with Maven or Gradle, Node 18/20/22, Python
       * 3.11/3.12/3.13, Go and plain Debian, from Docker Hub's official images or `imageRegistry`.
       * A list here replaces the defaults.
       */
      buildImages?: Array<{
        /** e.g. node-22 (lower-case letters, digits, . _ -) */
        id: string;
        /** a name the page shows, e.g. Node 22 */
        title: string;
        /** the image the build step runs in */
        image: string;
        /** the runtime base image the artifact is copied into */
        runtimeImage: string;
      }>;
      /**
       * The company registry (or mirror) the default build images come from, e.g.
       * registry.example.com/mirror: `node:22` becomes `registry.example.com/mirror/node:22`.
       * Unused when `buildImages` is set.
       */
      imageRegistry?: string;
      /**
       * Where pre-processing images (runtime base + pre-processing script) are kept, tagged by
       * their key; default localhost/codeflow-preprocessed (the builder's local storage).
       */
      preprocessingRepository?: string;
      /**
       * The git hosts codeflows may fetch from: `host` (any port) or `host:port`, e.g.
       * `gitlab.example.com`. Checked when a codeflow is saved (a 400 naming repositoryUrl) and
       * again when a run starts. Leave out to allow any host — but builds fetch from the backend's
       * host, so production should list its git hosts: otherwise anyone who may edit a codeflow
       * can make the backend reach any address it can.
       */
      repositoryHosts?: string[];
      /**
       * The credentials codeflows may reference for their repositories, by name. A codeflow
       * stores only the name; the values stay here (set them from the environment, e.g.
       * `password: ${GIT_TOKEN}`) and are never returned by the API.
       */
      credentials?: Array<{
        /** the name a codeflow references (letters, digits, . _ -) */
        name: string;
        /** what it gives access to, shown when choosing it */
        description?: string;
        /** the user name for http(s) repositories */
        username?: string;
        /**
         * a password or token for http(s) repositories
         * @visibility secret
         */
        password?: string;
        /**
         * a private key for ssh repositories (PEM)
         * @visibility secret
         */
        sshPrivateKey?: string;
      }>;
      /**
       * Where built images go: `<repository>/<service name>:<short sha>-<build number>` (and
       * `:<branch>` for a branch). Without it a run fails at its start, in words.
       */
      registry?: {
        /** e.g. registry.example.com/codeflow, or 127.0.0.1:5000/codeflow for the local cloud */
        repository?: string;
        /** plain HTTP, no TLS verification (a loopback registry only); default false */
        insecure?: boolean;
        /** the name of an entry of `credentials` to push with (username and password) */
        credentials?: string;
      };
      /** The run engine: how many runs build at once, for how long, and what a newer push does. */
      runs?: {
        /** runs building at once, over every backend replica (the database counts them); default 2 */
        concurrency?: number;
        /** a run (build and roll-out) is stopped after this many minutes and fails with `timeout`; default 30 */
        timeoutMinutes?: number;
        /**
         * A newer webhook push of a codeflow while an older webhook run of it is queued or
         * running: `queue` (default: it waits, one run per codeflow at a time) or `supersede`
         * (the older runs end `superseded`, a running one is stopped). Manual runs are never
         * superseded.
         */
        onNewPush?: 'queue' | 'supersede';
        /** the log kept per run, in bytes; past it one line says it was cut; default 5242880 */
        maxLogBytes?: number;
        /** how long the roll-out waits for each placement to run the new image; default 600 */
        rolloutTimeoutSeconds?: number;
      };
      /** The webhook endpoints (/api/codeflow/webhooks/<gitlab|gitea|github>/:codeflowId). */
      webhooks?: {
        /**
         * The key codeflows' webhook secrets are sealed with (AES-256-GCM): 32 random bytes,
         * base64 or hex (`openssl rand -base64 32`). Without it no webhook secret can be set
         * (503). Changing it makes every stored secret unreadable: set new ones.
         * @visibility secret
         */
        encryptionKey?: string;
        /** the largest delivery accepted, in bytes (larger: 413); default 1048576 */
        maxBodyBytes?: number;
      };
      /**
       * What builds the runs' images: `local` (the default: git and buildah on the backend's
       * host, see `local`), `kubernetes` (a Job per run with a rootless BuildKit builder, see
       * `kubernetes`) or `jenkins` (a pipeline job per codeflow, see `jenkins`). Any other value
       * stops the backend at start-up.
       */
      executor?: 'local' | 'kubernetes' | 'jenkins';
      /**
       * The Kubernetes executor (`executor: kubernetes`): each run a Job in one cluster, a
       * container per build step in the builder image, as a numeric non-root user. Registry and
       * git credentials come from Kubernetes Secrets mounted by `secrets` (a Docker config.json
       * at /run/secrets/codeflow-registry, a git-credentials file at /run/secrets/codeflow-git),
       * never from the backend's `credentials`.
       */
      kubernetes?: {
        /** the cluster builds run in: one of the configured clusters' names */
        cluster: string;
        /** the namespace build Jobs are created in */
        namespace: string;
        /** the rootless builder image every step runs in; default moby/buildkit:v0.17.0-rootless */
        builderImage?: string;
        /** the numeric user (and group) builds run as, never 0; default 1000 */
        runAsUser?: number;
        /** a PersistentVolumeClaim kept between runs (code and dependency cache), mounted at /cache */
        cacheClaim?: string;
        /** Secrets mounted read-only into every step (registry auth, git credentials) */
        secrets?: Array<{
          /** the Secret's name, in `namespace` */
          secret: string;
          /** an absolute path, e.g. /run/secrets/codeflow-registry */
          mountPath: string;
        }>;
        /** each step's container's requests and limits; default 500m/1Gi requested, 2/4Gi limits */
        resources?: {
          requests?: { cpu?: string; memory?: string };
          limits?: { cpu?: string; memory?: string };
        };
        /** the service account of build pods (its token is never mounted); default the namespace's default */
        serviceAccountName?: string;
        /** Kubernetes stops a build Job after this many minutes (activeDeadlineSeconds); default 60 */
        timeoutMinutes?: number;
        /** how long a finished Job (and its logs) is kept, in seconds; default 86400 */
        ttlSecondsAfterFinished?: number;
      };
      /**
       * The local executor (`executor: local`, the default): git and buildah on the backend's host,
       * as root (buildah's storage driver vfs, chroot isolation). Each run gets a scratch folder
       * `<workDir>/<runId>` (removed after the run); each codeflow a kept bare copy of its
       * repository `<cacheDir>/<codeflowId>` that later runs fetch into. The build script runs in
       * the build image as `buildUser`, seeing only the run's source at /workspace.
       */
      local?: {
        /** scratch folders, one per run, removed after it; default <tmp>/container-cloud-codeflow/work */
        workDir?: string;
        /** kept copies of the repositories, one per codeflow; default <tmp>/container-cloud-codeflow/cache */
        cacheDir?: string;
        /** buildah's --root (image and container storage, vfs); default <tmp>/container-cloud-codeflow/storage */
        storageRoot?: string;
        /** buildah's --runroot; default <tmp>/container-cloud-codeflow/run */
        runRoot?: string;
        /** the numeric uid (and gid) the build script runs as; 0 (root) is refused; default 10001 */
        buildUser?: number;
      };
      /** The Jenkins executor: each codeflow a parameterised pipeline job, each run a build. */
      jenkins?: {
        /** e.g. https://jenkins.example.com/ */
        baseUrl: string;
        /** the Jenkins user (or the `username` of `credentials`) */
        username?: string;
        /**
         * the user's API token; or leave it out and name `credentials`
         * @visibility secret
         */
        apiToken?: string;
        /** the name of an entry of containerCloud.codeflow.credentials holding username and token (password) */
        credentials?: string;
        /** a folder the jobs go in; default none */
        folder?: string;
        /** the jobs' names are <jobPrefix><codeflow id>; default codeflow- */
        jobPrefix?: string;
        /** how long a build may wait in Jenkins' queue before it is cancelled; default 600 */
        queueTimeoutSeconds?: number;
        /** how long a run may take before it is stopped; default 60 */
        runTimeoutMinutes?: number;
      };
    };
  };
}
