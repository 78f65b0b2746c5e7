import { execFileSync } from 'node:child_process';

/**
 * The local cloud runs no volume provisioner (kwok runs no CSI driver; claims of its StorageClass
 * stay Pending, see packages/local-cloud/src/storage.ts), so a StatefulSet's claims never bind
 * and its pods are never scheduled. Tests and the benchmark play the provisioner's part: each
 * Pending claim of the release gets a PersistentVolume made for it (claimRef), as a static
 * provisioner would. Returns the PVs it created (remove them with `removeVolumes`).
 */
export function provisionClaims(
  context: string,
  namespace: string,
  release: string,
): string[] {
  const out = execFileSync(
    'kubectl',
    ['--context', context, '-n', namespace, 'get', 'pvc', '-o', 'json'],
    { env: process.env, encoding: 'utf8' },
  );
  const claims = (
    JSON.parse(out) as {
      items: Array<{
        metadata: { name: string; labels?: Record<string, string> };
        spec: {
          accessModes?: string[];
          resources?: { requests?: { storage?: string } };
          storageClassName?: string;
        };
        status?: { phase?: string };
      }>;
    }
  ).items.filter(
    c =>
      c.status?.phase === 'Pending' &&
      (c.metadata.labels?.['app.kubernetes.io/instance'] === release ||
        c.metadata.name.includes(`-${release}-`)),
  );
  const created: string[] = [];
  for (const claim of claims) {
    const name = `app-store-test-${namespace}-${claim.metadata.name}`.slice(
      0,
      250,
    );
    const pv = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {
        name,
        labels: { 'container-cloud.io/app-store-test': 'true' },
      },
      spec: {
        capacity: { storage: claim.spec.resources?.requests?.storage ?? '1Gi' },
        accessModes: claim.spec.accessModes ?? ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: claim.spec.storageClassName ?? '',
        hostPath: { path: `/tmp/app-store-test/${name}` },
        claimRef: { namespace, name: claim.metadata.name },
      },
    };
    execFileSync('kubectl', ['--context', context, 'apply', '-f', '-'], {
      env: process.env,
      input: JSON.stringify(pv),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    created.push(name);
  }
  return created;
}

/** Removes the PVs `provisionClaims` made, and the claims left of a release (a StatefulSet keeps them). */
export function removeVolumes(
  context: string,
  namespace: string,
  release: string,
  volumes: string[],
): void {
  try {
    const out = execFileSync(
      'kubectl',
      ['--context', context, '-n', namespace, 'get', 'pvc', '-o', 'name'],
      { env: process.env, encoding: 'utf8' },
    );
    const claims = out.split('\n').filter(l => l.includes(`-${release}-`));
    if (claims.length) {
      execFileSync(
        'kubectl',
        [
          '--context',
          context,
          '-n',
          namespace,
          'delete',
          '--wait=false',
          ...claims,
        ],
        { env: process.env, stdio: 'pipe' },
      );
    }
  } catch {
    // nothing left
  }
  if (volumes.length) {
    try {
      execFileSync(
        'kubectl',
        ['--context', context, 'delete', 'pv', '--wait=false', ...volumes],
        { env: process.env, stdio: 'pipe' },
      );
    } catch {
      // already gone
    }
  }
}
