import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LocalCloudError } from '../errors';
import { LOCAL_CLOUD_VERSIONS, LocalCloudSettings } from '../settings';

/** The programs built from the Go module proxy, by the name local-cloud runs them under. */
export const BUILT_BINARIES = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
] as const;

export type BuiltBinary = (typeof BUILT_BINARIES)[number];

/**
 * Kubernetes' own go.mod points its k8s.io/* staging modules at folders inside its repository,
 * and Go ignores a dependency's replace directives; so a module that builds Kubernetes from the
 * proxy replaces each staging module with its published v0.X.Y release itself.
 */
const KUBERNETES_STAGING_MODULES = [
  'api',
  'apiextensions-apiserver',
  'apimachinery',
  'apiserver',
  'cli-runtime',
  'client-go',
  'cloud-provider',
  'cluster-bootstrap',
  'code-generator',
  'component-base',
  'component-helpers',
  'controller-manager',
  'cri-api',
  'cri-client',
  'csi-translation-lib',
  'dynamic-resource-allocation',
  'endpointslice',
  'externaljwt',
  'kms',
  'kube-aggregator',
  'kube-controller-manager',
  'kube-proxy',
  'kube-scheduler',
  'kubectl',
  'kubelet',
  'metrics',
  'mount-utils',
  'pod-security-admission',
  'sample-apiserver',
  'sample-cli-plugin',
  'sample-controller',
];

const COMPLETE_MARKER = '.complete';

export function binaryPath(settings: LocalCloudSettings, name: BuiltBinary) {
  return path.join(settings.binDir, name);
}

export function binariesReady(settings: LocalCloudSettings): boolean {
  return (
    fs.existsSync(path.join(settings.binDir, COMPLETE_MARKER)) &&
    BUILT_BINARIES.every(name => fs.existsSync(binaryPath(settings, name)))
  );
}

export function kubernetesGoMod(): string {
  const { kubernetes, etcd } = LOCAL_CLOUD_VERSIONS;
  const staging = `v0.${kubernetes.split('.').slice(1).join('.')}`;
  const replaces = KUBERNETES_STAGING_MODULES.map(
    m => `\tk8s.io/${m} => k8s.io/${m} ${staging}`,
  ).join('\n');
  return [
    '// Written by @internal/local-cloud to build Kubernetes and etcd from the Go module proxy.',
    'module localcloud.build/kubernetes',
    '',
    'go 1.25.0',
    '',
    'require (',
    `\tk8s.io/kubernetes v${kubernetes}`,
    `\tgo.etcd.io/etcd/server/v3 v${etcd}`,
    ')',
    '',
    'replace (',
    replaces,
    ')',
    '',
  ].join('\n');
}

export interface BuildStep {
  label: string;
  dir: string;
  args: string[];
  /** the go command's environment on top of this process' (default GOFLAGS=-mod=mod) */
  env?: NodeJS.ProcessEnv;
}

function versionLdflags(): string {
  const v = LOCAL_CLOUD_VERSIONS.kubernetes;
  const [major, minor] = v.split('.');
  const vars = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']
    .flatMap(pkg => [
      `-X ${pkg}.gitVersion=v${v}`,
      `-X ${pkg}.gitMajor=${major}`,
      `-X ${pkg}.gitMinor=${minor}`,
      `-X ${pkg}.gitTreeState=clean`,
    ])
    .join(' ');
  return `-s -w ${vars}`;
}

function buildSteps(settings: LocalCloudSettings, outDir: string): BuildStep[] {
  const { kubernetes, etcd, kwok } = LOCAL_CLOUD_VERSIONS;
  const kubeDir = path.join(settings.buildDir, 'kubernetes');
  const kwokDir = path.join(settings.buildDir, 'kwok');
  const build = (pkg: string, ldflags = '-s -w') => [
    'build',
    '-v',
    '-trimpath',
    '-ldflags',
    ldflags,
    '-o',
    outDir + path.sep,
    pkg,
  ];
  const cmd = (name: string) => `k8s.io/kubernetes/cmd/${name}`;
  return [
    {
      label: `resolving modules for Kubernetes v${kubernetes} and etcd v${etcd}`,
      dir: kubeDir,
      args: [
        'get',
        `${cmd('kube-apiserver')}@v${kubernetes}`,
        `${cmd('kube-controller-manager')}@v${kubernetes}`,
        `${cmd('kube-scheduler')}@v${kubernetes}`,
        `go.etcd.io/etcd/server/v3@v${etcd}`,
      ],
    },
    {
      label: `building etcd v${etcd}`,
      dir: kubeDir,
      args: build('go.etcd.io/etcd/server/v3'),
    },
    ...['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map(
      name => ({
        label: `building ${name} v${kubernetes}`,
        dir: kubeDir,
        args: build(cmd(name), versionLdflags()),
      }),
    ),
    {
      label: `resolving modules for kwok v${kwok}`,
      dir: kwokDir,
      args: ['get', `sigs.k8s.io/kwok/cmd/kwok@v${kwok}`],
    },
    {
      label: `building kwok v${kwok}`,
      dir: kwokDir,
      args: build('sigs.k8s.io/kwok/cmd/kwok'),
    },
  ];
}

export function runStep(
  step: BuildStep,
  log: string,
  progress: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(log, 'a');
    fs.writeSync(fd, `\n--- ${step.label}: go ${step.args.join(' ')}\n`);
    const child = spawn('go', step.args, {
      cwd: step.dir,
      env: { ...process.env, ...(step.env ?? { GOFLAGS: '-mod=mod' }) },
      stdio: ['ignore', fd, 'pipe'],
    });
    let packages = 0;
    child.stderr?.on('data', (chunk: Buffer) => {
      fs.writeSync(fd, chunk);
      packages += chunk.toString('utf8').split('\n').filter(Boolean).length;
    });
    const heartbeat = setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      progress(
        `  ${step.label}: ${seconds} s, ${packages} lines of go output so far`,
      );
    }, 20_000);
    child.once('error', error => {
      clearInterval(heartbeat);
      fs.closeSync(fd);
      reject(error);
    });
    child.once('close', code => {
      clearInterval(heartbeat);
      fs.closeSync(fd);
      const seconds = Math.round((Date.now() - started) / 1000);
      if (code === 0) {
        progress(`  ${step.label}: done in ${seconds} s`);
        resolve();
      } else {
        reject(
          new LocalCloudError(
            `${step.label} failed (go exited with code ${code}); log: ${log}`,
            { component: 'go build', log },
          ),
        );
      }
    });
  });
}

export function checkGo(
  purpose = 'etcd, Kubernetes and kwok',
  minimum = '1.25',
  env: NodeJS.ProcessEnv = process.env,
): string {
  const result = spawnSync('go', ['version'], { encoding: 'utf8', env });
  if (result.error || result.status !== 0) {
    throw new LocalCloudError(
      `the Go toolchain (go) is not on PATH; it is needed once to build ${purpose} from the Go module proxy: install Go ${minimum} or newer and retry`,
      { component: 'go' },
    );
  }
  return result.stdout.trim();
}

/**
 * Builds etcd, the Kubernetes control plane and kwok unless this version set is already in the
 * cache. Takes minutes the first time (measured: see docs/benchmarks.md); prints progress.
 */
export async function ensureBinaries(
  settings: LocalCloudSettings,
  progress: (line: string) => void,
): Promise<void> {
  if (binariesReady(settings)) return;
  const goVersion = checkGo();
  const started = Date.now();
  progress(
    `building the local cloud's programs once (${goVersion}); they are cached in ${settings.binDir}`,
  );
  const kubeDir = path.join(settings.buildDir, 'kubernetes');
  const kwokDir = path.join(settings.buildDir, 'kwok');
  fs.mkdirSync(kubeDir, { recursive: true });
  fs.mkdirSync(kwokDir, { recursive: true });
  fs.writeFileSync(path.join(kubeDir, 'go.mod'), kubernetesGoMod());
  fs.writeFileSync(
    path.join(kwokDir, 'go.mod'),
    `// Written by @internal/local-cloud to build kwok from the Go module proxy.\nmodule localcloud.build/kwok\n\ngo 1.24.0\n\nrequire sigs.k8s.io/kwok v${LOCAL_CLOUD_VERSIONS.kwok}\n`,
  );
  const outDir = `${settings.binDir}.partial`;
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const log = path.join(settings.buildDir, 'build.log');
  const steps = buildSteps(settings, outDir);
  for (const [index, step] of steps.entries()) {
    progress(`[${index + 1}/${steps.length}] ${step.label} (log: ${log})`);
    await runStep(step, log, progress);
  }
  // go names a binary after its package folder: go.etcd.io/etcd/server/v3 builds 'server'
  fs.renameSync(path.join(outDir, 'server'), path.join(outDir, 'etcd'));
  fs.writeFileSync(
    path.join(outDir, COMPLETE_MARKER),
    new Date().toISOString(),
  );
  fs.rmSync(settings.binDir, { recursive: true, force: true });
  fs.renameSync(outDir, settings.binDir);
  progress(
    `built etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok in ${Math.round(
      (Date.now() - started) / 1000,
    )} s`,
  );
}

/**
 * kwok's own default pod stages (ready, complete, delete), read from its module in the Go module
 * cache. kwok drops its defaults once any pod stage is configured, so whoever adds one must list
 * these too. Undefined when the module cannot be found (Go missing, module cache cleaned).
 */
export function kwokDefaultPodStages(
  settings: LocalCloudSettings,
): string[] | undefined {
  const found = spawnSync(
    'go',
    ['list', '-m', '-f', '{{.Dir}}', 'sigs.k8s.io/kwok'],
    {
      cwd: path.join(settings.buildDir, 'kwok'),
      env: { ...process.env, GOFLAGS: '-mod=mod' },
      encoding: 'utf8',
    },
  );
  const dir = found.status === 0 ? found.stdout.trim() : '';
  if (!dir) return undefined;
  try {
    return ['pod-ready', 'pod-complete', 'pod-delete'].map(stage =>
      fs.readFileSync(
        path.join(dir, 'kustomize', 'stage', 'pod', 'fast', `${stage}.yaml`),
        'utf8',
      ),
    );
  } catch {
    return undefined;
  }
}
