import {
  ApiException,
  PatchStrategy,
  setHeaderOptions,
  type V1Secret,
} from '@kubernetes/client-node';
import { APP_STORE_SECRET_MARKS } from '@internal/plugin-container-cloud-common';
import type { ClusterConnection } from '@internal/plugin-container-cloud-node';
import type { InstanceRecord } from './InstanceStore';

/** The label Helm charts put on their objects: the release's name. */
const INSTANCE_LABEL = 'app.kubernetes.io/instance';

/** Whether a Secret is one of the release's own: the chart's label and Helm's annotation. */
function isReleaseSecret(secret: V1Secret, release: string): boolean {
  return (
    secret.metadata?.labels?.[INSTANCE_LABEL] === release &&
    secret.metadata?.annotations?.[
      APP_STORE_SECRET_MARKS.helmReleaseAnnotation
    ] === release
  );
}

/**
 * Marks the Secrets of an instance's release with its owner and the instance
 * (APP_STORE_SECRET_MARKS), so the services backend lets the owner's services reference them
 * (`valueFrom.secretKeyRef`) and no other Secret. The charts cannot know the owner, so the store
 * writes it after `helm install`; Helm's three-way merge keeps it across upgrades. Each patch is
 * conditional on the `resourceVersion` listed: a Secret changed since is left for the next call.
 * Answers the names of the Secrets that carry the marks now.
 */
export async function markInstanceSecrets(
  connection: ClusterConnection,
  record: Pick<InstanceRecord, 'cluster' | 'namespace' | 'name' | 'owner'>,
): Promise<string[]> {
  const list = await connection.core.listNamespacedSecret({
    namespace: record.namespace,
    labelSelector: `${INSTANCE_LABEL}=${record.name}`,
  });
  const instance = `${record.cluster}/${record.namespace}/${record.name}`;
  const marked: string[] = [];
  for (const secret of list.items) {
    const name = secret.metadata?.name;
    if (!name || !isReleaseSecret(secret, record.name)) continue;
    const annotations = secret.metadata?.annotations ?? {};
    if (
      annotations[APP_STORE_SECRET_MARKS.ownerAnnotation] === record.owner &&
      annotations[APP_STORE_SECRET_MARKS.instanceAnnotation] === instance
    ) {
      marked.push(name);
      continue;
    }
    try {
      await connection.core.patchNamespacedSecret(
        {
          namespace: record.namespace,
          name,
          body: {
            metadata: {
              resourceVersion: secret.metadata?.resourceVersion,
              annotations: {
                [APP_STORE_SECRET_MARKS.ownerAnnotation]: record.owner,
                [APP_STORE_SECRET_MARKS.instanceAnnotation]: instance,
              },
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      marked.push(name);
    } catch (error) {
      // changed since it was listed: the next call marks it as it is then
      if (error instanceof ApiException && error.code === 409) continue;
      throw error;
    }
  }
  return marked;
}
