import { execFileSync } from 'node:child_process';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import type { LocalCloudTestContext } from '@internal/local-cloud/testing';
// the real app-store backend, which the actions call over HTTP as the user
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import appStorePlugin from '@internal/plugin-app-store-backend';
import {
  FIXTURES_ORIGIN,
  serviceEntity,
  waitForEntity,
} from '@internal/plugin-container-cloud-node/testing';
import { localCloudClusters, startSuiteBackend } from './startSuiteBackend';

/** The cluster the app store tests install into. */
export const APP_STORE_CLUSTER = 'local-a';

/**
 * startSuiteBackend with the real app-store backend (Helm and the project's charts, pushed by
 * local-cloud to its registry under `charts`): payments-api (team-payments, the guest's team)
 * placed in the test's namespace of local-a, and the team itself (a Group may own an instance).
 */
export async function startAppStoreSuite(
  lc: LocalCloudTestContext,
  features: BackendFeature[] = [],
) {
  const suite = await startSuiteBackend({
    clusters: localCloudClusters(lc.info),
    entities: [
      serviceEntity('payments-api', 'group:default/team-payments', {
        'container-cloud.io/placements': `${APP_STORE_CLUSTER}/${lc.namespace}`,
      }),
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: {
          name: 'team-payments',
          annotations: {
            'backstage.io/managed-by-location': FIXTURES_ORIGIN,
            'backstage.io/managed-by-origin-location': FIXTURES_ORIGIN,
          },
        },
        spec: { type: 'team', children: [] },
      },
    ],
    features: [appStorePlugin, ...features],
    containerCloud: {
      appStore: {
        helm: lc.info.helm.binary,
        repositories: [
          {
            name: 'local',
            url: `oci://${new URL(lc.info.registry.url).host}/charts`,
            plainHttp: true,
          },
        ],
      },
    },
  });
  await waitForEntity(
    `http://localhost:${suite.backend.server.port()}`,
    'group/default/team-payments',
  );
  return suite;
}

/** The Helm releases in the test's namespace of local-a, as ops would list them. */
export function helmReleases(
  lc: LocalCloudTestContext,
): Array<{ name: string; chart: string; status: string }> {
  const out = execFileSync(
    lc.info.helm.binary,
    [
      'list',
      '--all',
      '--output',
      'json',
      '--namespace',
      lc.namespace,
      '--kubeconfig',
      lc.info.kubeconfig,
      '--kube-context',
      APP_STORE_CLUSTER,
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out);
}
