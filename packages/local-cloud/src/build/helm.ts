import fs from 'node:fs';
import path from 'node:path';
import { LocalCloudError } from '../errors';
import { LOCAL_CLOUD_VERSIONS, LocalCloudSettings } from '../settings';
import { checkGo, runStep } from './binaries';

/** The Go package helm's own release builds; pinned by LOCAL_CLOUD_VERSIONS.helm. */
export const HELM_PACKAGE = 'helm.sh/helm/v3/cmd/helm';

/**
 * The Kubernetes minor version helm's pinned client-go stands for (helm v3.22.0's go.mod requires
 * k8s.io/client-go v0.37.0): stamped into helm as its Makefile does, so `helm template` and
 * `helm lint` assume Kubernetes 1.37 rather than their unstamped default 1.20 (a chart's
 * `kubeVersion: >=1.27` would fail there). A unit test checks it against helm's go.mod.
 */
export const HELM_KUBERNETES_MINOR = 37;

const COMPLETE_MARKER = '.complete';

/** Where the built helm lives: `<cache>/helm-v<version>/bin/helm`. */
export function helmPath(settings: LocalCloudSettings): string {
  return path.join(settings.helmDir, 'bin', 'helm');
}

export function helmReady(settings: LocalCloudSettings): boolean {
  const bin = path.join(settings.helmDir, 'bin');
  return (
    fs.existsSync(path.join(bin, COMPLETE_MARKER)) &&
    fs.existsSync(helmPath(settings))
  );
}

/**
 * The `go install` arguments: helm's own module graph (its go.mod, as its releases use), its
 * version and Kubernetes version stamped in as helm's Makefile does, so `helm version` and the
 * user agent say v3.22.0.
 */
export function helmInstallArgs(): string[] {
  const v = LOCAL_CLOUD_VERSIONS.helm;
  const pkg = 'helm.sh/helm/v3/internal/version';
  const kube = [
    'helm.sh/helm/v3/pkg/lint/rules',
    'helm.sh/helm/v3/pkg/chartutil',
  ]
    .flatMap(p => [
      `-X ${p}.k8sVersionMajor=1`,
      `-X ${p}.k8sVersionMinor=${HELM_KUBERNETES_MINOR}`,
    ])
    .join(' ');
  return [
    'install',
    '-v',
    '-trimpath',
    '-ldflags',
    `-s -w -X ${pkg}.version=v${v} -X ${pkg}.gitTreeState=clean ${kube}`,
    `${HELM_PACKAGE}@v${v}`,
  ];
}

/**
 * Builds helm (the app store's engine) from the Go module proxy unless this version is already in
 * its cache folder. About a minute with a warm Go cache, a few minutes cold; prints progress.
 * Returns the path of the helm program.
 */
export async function ensureHelm(
  settings: LocalCloudSettings,
  progress: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (helmReady(settings)) return helmPath(settings);
  const version = LOCAL_CLOUD_VERSIONS.helm;
  const goVersion = checkGo(
    `helm v${version} (the app store's engine)`,
    '1.26',
    env,
  );
  const started = Date.now();
  const bin = path.join(settings.helmDir, 'bin');
  const buildDir = path.join(settings.helmDir, 'build');
  progress(
    `building helm v${version} once (${goVersion}); it is cached in ${bin}`,
  );
  fs.mkdirSync(buildDir, { recursive: true });
  const outDir = `${bin}.partial`;
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const log = path.join(settings.helmDir, 'build.log');
  const label = `building helm v${version}`;
  progress(`[1/1] ${label} (log: ${log})`);
  await runStep(
    {
      label,
      dir: buildDir,
      args: helmInstallArgs(),
      // `go install pkg@version` builds outside any module, from helm's own go.mod
      env: { ...env, GOBIN: outDir, GOFLAGS: '' },
    },
    log,
    progress,
  );
  if (!fs.existsSync(path.join(outDir, 'helm'))) {
    throw new LocalCloudError(
      `${label}: go reported success but wrote no helm program into ${outDir}; log: ${log}`,
      { component: 'go build', log },
    );
  }
  fs.writeFileSync(
    path.join(outDir, COMPLETE_MARKER),
    new Date().toISOString(),
  );
  fs.rmSync(bin, { recursive: true, force: true });
  fs.renameSync(outDir, bin);
  progress(
    `built helm v${version} in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  return helmPath(settings);
}
