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
      /** how long one helm call (install, upgrade, status, pull…) may take, in seconds; default 120 */
      helmTimeoutSeconds?: number;
      /** when test instances expire (production instances never do) */
      expiry?: {
        /** the days a test instance lives when the install asks for none; default 7 */
        defaultDays?: number;
        /** per environment (e.g. `test`): its own default */
        environments?: {
          [environment: string]: {
            /** the days an instance of this environment lives when the install asks for none */
            defaultDays?: number;
          };
        };
      };
    };
  };
}
