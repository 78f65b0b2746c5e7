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
    clusters?: {
      /**
       * How often cluster health (API latency, nodes ready) is probed, in seconds. Default 15.
       */
      healthProbeSeconds?: number;
    };
  };
}
