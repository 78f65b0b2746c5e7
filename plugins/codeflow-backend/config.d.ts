export interface Config {
  containerCloud?: {
    /** Codeflows (plugins/codeflow-backend). Each part documents its own keys here. */
    codeflow?: {
      /** the build images a codeflow may choose, by id (JDK, Node, Python, Go, plain) */
      buildImages?: Array<{
        /** e.g. node-22 */
        id: string;
        /** a name the page shows, e.g. Node 22 */
        title: string;
        /** the image the build step runs in */
        image: string;
        /** the runtime base image the artifact is copied into */
        runtimeImage: string;
      }>;
    };
  };
}
