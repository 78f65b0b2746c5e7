export interface Config {
  containerCloud?: {
    services?: {
      /** The most replicas a user may scale a Deployment to. Default 50. */
      maxReplicas?: number;
    };
  };
}
