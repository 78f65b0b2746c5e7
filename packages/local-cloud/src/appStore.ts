/**
 * The app store's part of the local cloud: where its charts live in the local registry, and the
 * `containerCloud.appStore` config that points the app store backend at them and at the helm
 * program local-cloud built.
 */

/** The registry path the project's charts are pushed under: oci://127.0.0.1:<port>/charts/<name>. */
export const CHARTS_PATH = 'charts';

/** The OCI repository of the project's charts in the local registry. */
export function chartsRepository(registryPort: number): string {
  return `oci://127.0.0.1:${registryPort}/${CHARTS_PATH}`;
}

/** `containerCloud.appStore` of the generated app-config (keys: plugins/app-store-backend/config.d.ts). */
export function appStoreAppConfig(helm: string, registryPort: number) {
  return {
    helm,
    repositories: [
      {
        name: 'local',
        url: chartsRepository(registryPort),
        // the local registry speaks plain HTTP on loopback
        plainHttp: true,
      },
    ],
  };
}
