import { InputError } from '@backstage/errors';
import {
  APP_STORE_SECRET_MARKS,
  type ConfigEnvVar,
} from '@internal/plugin-container-cloud-common';
import type { V1Secret } from '@kubernetes/client-node';

/** The service a configuration is for: its entity and the groups that own it. */
export interface ConfiguredService {
  entityRef: string;
  /** the entity's owners (`ownedBy` relations), as entity refs */
  owners: string[];
}

/** Reads a Secret of a namespace; undefined when there is none. */
export type SecretReader = (
  namespace: string,
  name: string,
) => Promise<V1Secret | undefined>;

function normalized(ref: string): string {
  return ref.trim().toLocaleLowerCase('en-US');
}

/**
 * Why a Secret may not be referenced by the service, in words; undefined when it may. Only a
 * Secret of a Helm release the app store installed and marked for the service or a group owning
 * it (APP_STORE_SECRET_MARKS: the owner, and the instance being that release in this cluster and
 * namespace) may be: any other Secret of the namespace could hold what the service's owners must
 * not read (another team's password, a token), and a reference in a Deployment hands its value
 * to whoever can exec into, or change the command of, the service's pods.
 */
export function refusalOf(
  secret: V1Secret | undefined,
  ref: { name: string; key: string },
  service: ConfiguredService,
  target: { cluster: string; namespace: string },
): string | undefined {
  if (!secret) {
    return `there is no Secret ${ref.name} in namespace '${target.namespace}' of cluster '${target.cluster}'`;
  }
  const annotations = secret.metadata?.annotations ?? {};
  const owner = annotations[APP_STORE_SECRET_MARKS.ownerAnnotation];
  const release = annotations[APP_STORE_SECRET_MARKS.helmReleaseAnnotation];
  const allowed = [service.entityRef, ...service.owners].map(normalized);
  if (
    !owner ||
    !release ||
    !allowed.includes(normalized(owner)) ||
    annotations[APP_STORE_SECRET_MARKS.instanceAnnotation] !==
      `${target.cluster}/${target.namespace}/${release}`
  ) {
    return `the Secret ${
      ref.name
    } is not one the app store made for this service: only the Secret of an app store instance owned by ${[
      service.entityRef,
      ...service.owners,
    ].join(' or ')} may be referenced (annotations ${
      APP_STORE_SECRET_MARKS.ownerAnnotation
    } and ${
      APP_STORE_SECRET_MARKS.instanceAnnotation
    }, which the app store sets)`;
  }
  if (secret.data?.[ref.key] === undefined) {
    return `the Secret ${ref.name} has no key '${ref.key}' (it has: ${
      Object.keys(secret.data ?? {}).join(', ') || 'none'
    })`;
  }
  return undefined;
}

/**
 * Checks every `valueFrom.secretKeyRef` variable of a configuration change before anything is
 * written: a 400 in words for the first Secret the service may not reference. The Secrets are
 * read in the (cluster, namespace) the change is for, which the caller checked against the
 * service's binding.
 */
export async function assertAppStoreSecrets(
  read: SecretReader,
  target: { cluster: string; namespace: string },
  env: ConfigEnvVar[] | undefined,
  service: ConfiguredService,
): Promise<void> {
  for (const variable of env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (!ref) continue;
    const refusal = refusalOf(
      await read(target.namespace, ref.name),
      ref,
      service,
      target,
    );
    if (refusal) {
      throw new InputError(`invalid config: env ${variable.name}: ${refusal}`);
    }
  }
}
