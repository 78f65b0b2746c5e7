import { KubeRest } from './kubeRest';

/** Fake nodes per cluster; kwok keeps them Ready and runs (pretends to run) their pods. */
export const FAKE_NODES_PER_CLUSTER = 3;

/** The service account the portal uses; its token goes into the app-config overlay. */
export const PORTAL_SERVICE_ACCOUNT = {
  namespace: 'kube-system',
  name: 'backstage',
};

const TOKEN_LIFETIME_SECONDS = 365 * 24 * 3600;

export function fakeNodeNames(cluster: string): string[] {
  return Array.from(
    { length: FAKE_NODES_PER_CLUSTER },
    (_, i) => `kwok-${cluster}-${i}`,
  );
}

function fakeNode(name: string, index: number) {
  const resources = { cpu: '32', memory: '256Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: {
        'kwok.x-k8s.io/node': 'fake',
        'node.alpha.kubernetes.io/ttl': '0',
      },
      labels: {
        type: 'kwok',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': name,
        'kubernetes.io/role': 'agent',
        'node-role.kubernetes.io/agent': '',
        'topology.kubernetes.io/zone': `zone-${index % 2}`,
      },
    },
    spec: {},
    status: { allocatable: resources, capacity: resources },
  };
}

/**
 * Creates the fake nodes (once), clears their leases for the kwok about to start, and makes the
 * portal's service account with cluster-admin rights.
 */
export async function bootstrapCluster(
  api: KubeRest,
  cluster: string,
  options: { clearLeases: boolean },
): Promise<void> {
  for (const [i, nodeName] of fakeNodeNames(cluster).entries()) {
    const node = fakeNode(nodeName, i);
    const existing = await api.request(
      'GET',
      `/api/v1/nodes/${node.metadata.name}`,
    );
    if (existing.status === 404) {
      await api.expect('POST', '/api/v1/nodes', node);
    }
  }
  // leases held by a kwok that is gone would stall the next one until they expire
  for (const nodeName of options.clearLeases ? fakeNodeNames(cluster) : []) {
    await api.expect(
      'DELETE',
      `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${nodeName}`,
      undefined,
      [404],
    );
  }
  const { namespace, name } = PORTAL_SERVICE_ACCOUNT;
  await api.apply(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace },
  });
  await api.apply(
    `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/local-cloud-${name}`,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `local-cloud-${name}` },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'cluster-admin',
      },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  );
}

/** A long-lived token for the portal's service account (TokenRequest API, bound to the account). */
export async function requestPortalToken(api: KubeRest): Promise<string> {
  const { namespace, name } = PORTAL_SERVICE_ACCOUNT;
  const res = await api.expect(
    'POST',
    `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: TOKEN_LIFETIME_SECONDS },
    },
  );
  return res.body.status.token as string;
}
