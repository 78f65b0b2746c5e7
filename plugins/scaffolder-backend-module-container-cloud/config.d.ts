export interface Config {
  containerCloud?: {
    codeflow?: {
      /**
       * The local cloud's git server, where `publish:container-cloud:local-git` creates
       * repositories and pushes (local only; a company setup publishes with `publish:gitlab`).
       * The local cloud writes it into its generated app-config.
       */
      git?: {
        /** e.g. http://127.0.0.1:16498: repositories at `<url>/<name>.git`, its API at `<url>/api` */
        url: string;
        /** the name of an entry of `containerCloud.codeflow.credentials` (username and password) */
        credentials: string;
      };
    };
  };
}
