export interface Config {
  containerCloud?: {
    /** The app store (plugins/app-store-backend). Each part documents its own keys here. */
    appStore?: {
      /**
       * The chart repositories the store lists: an OCI registry (`oci://host:port/path`, every
       * repository under the path is a chart) or a classic Helm repository (`https://…`, its
       * `index.yaml`).
       */
      repositories?: Array<{
        /** a name the pages and the API use (lower-case letters, digits and dashes) */
        name: string;
        /** oci://… or http(s)://… */
        url: string;
        /** plain HTTP to an OCI registry (the local cloud's); default false */
        plainHttp?: boolean;
      }>;
      /** the helm program; default `helm` on PATH */
      helm?: string;
      /** production installs are refused unless this is true; default false */
      allowProduction?: boolean;
    };
  };
}
