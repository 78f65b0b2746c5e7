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
