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
        /**
         * How often the expiry task runs (warns owners, uninstalls expired test instances), under
         * the scheduler so one replica runs it; `{ minutes: 5 }`, `'5m'` or `'PT5M'`. Default 5
         * minutes, at least 10 seconds.
         */
        frequency?: { minutes?: number; seconds?: number; hours?: number } | string;
        /**
         * How long before an instance expires its owner is told (through Backstage's
         * notifications); nothing is uninstalled before that warning went out. Default 24 hours.
         */
        notifyBefore?: { minutes?: number; hours?: number; days?: number } | string;
      };
    };
  };
}
