import { loadYaml } from '@kubernetes/client-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appStoreAppConfig, chartsRepository } from './appStore';
import { kubernetesGoMod } from './build/binaries';
import { spawn, spawnSync } from 'node:child_process';
import {
  HELM_KUBERNETES_MINOR,
  ensureHelm,
  helmInstallArgs,
  helmPath,
} from './build/helm';
import { ensureDebianPrograms } from './debianPackages';
import { leadsOwnGroup } from './processes';
import { LocalCloudError } from './errors';
import { findExampleCatalog, placeServices } from './seed';
import { LOCAL_CLOUD_VERSIONS, resolveSettings } from './settings';
import { toYaml } from './yaml';

describe('resolveSettings', () => {
  it('gives each cluster its own ports from the base', () => {
    const s = resolveSettings({ portBase: 20000, cacheDir: '/c' }, {});
    expect(s.clusters.map(c => c.ports.apiserver)).toEqual([20003, 20023]);
    expect(s.home).toBe('/c/run');
    expect(s.binDir).toMatch(
      /^\/c\/k8s-v[\d.]+_etcd-v[\d.]+_kwok-v[\d.]+\/bin$/,
    );
    const all = [
      ...s.clusters.flatMap(c => Object.values(c.ports)),
      s.nginxPort,
      s.prometheusPort,
      s.alertmanagerPort,
      s.registryPort,
      s.gitPort,
    ];
    expect(new Set(all).size).toBe(all.length);
  });

  it("caches helm in a folder of its own version, not in the Kubernetes binaries' folder", () => {
    const s = resolveSettings({ cacheDir: '/c' }, {});
    expect(s.helmDir).toBe(`/c/helm-v${LOCAL_CLOUD_VERSIONS.helm}`);
    expect(helmPath(s)).toBe(`/c/helm-v${LOCAL_CLOUD_VERSIONS.helm}/bin/helm`);
    expect(s.binDir).not.toContain('helm');
  });

  it('reads the environment and rejects a bad port base in one line', () => {
    const env = { LOCAL_CLOUD_HOME: '/h', LOCAL_CLOUD_PORT_BASE: '18000' };
    expect(resolveSettings({}, env)).toMatchObject({
      home: '/h',
      portBase: 18000,
    });
    expect(() => resolveSettings({}, { LOCAL_CLOUD_PORT_BASE: 'x' })).toThrow(
      "LOCAL_CLOUD_PORT_BASE must be a whole number between 1024 and 65400, got 'x'",
    );
  });
});

describe('kubernetesGoMod', () => {
  it('replaces the staging modules with their published releases', () => {
    const mod = kubernetesGoMod();
    expect(mod).toMatch(/require \(\n\tk8s\.io\/kubernetes v1\.(\d+)\.(\d+)/);
    const [, minor, patch] = mod.match(/k8s\.io\/kubernetes v1\.(\d+)\.(\d+)/)!;
    expect(mod).toContain(`\tk8s.io/api => k8s.io/api v0.${minor}.${patch}\n`);
    expect(mod).toContain(
      `\tk8s.io/client-go => k8s.io/client-go v0.${minor}.${patch}\n`,
    );
  });
});

describe('placeServices', () => {
  it('puts every other service on all clusters and alternates the rest', () => {
    expect(placeServices(['a', 'b', 'c', 'd', 'e'], ['x', 'y'])).toEqual([
      ['a', ['x', 'y']],
      ['b', ['x']],
      ['c', ['x', 'y']],
      ['d', ['y']],
      ['e', ['x', 'y']],
    ]);
  });

  it('finds the example catalog above the working folder', () => {
    expect(findExampleCatalog()).toMatch(/examples\/entities\.yaml$/);
  });
});

describe('toYaml', () => {
  it('writes nested data that YAML reads back', () => {
    const data = {
      a: [{ name: 'x', list: ['1', 2, true] }, { empty: [] }],
      'key with: colon': 'value "quoted"',
      nested: { deeper: { n: null, o: {} } },
    };
    expect(loadYaml(toYaml(data))).toEqual(data);
  });
});

describe('ensureDebianPrograms', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('names the missing Debian packages in one line when it may not install them', () => {
    process.env.PATH = '/nonexistent';
    process.env.LOCAL_CLOUD_NO_INSTALL = '1';
    let error: any;
    try {
      ensureDebianPrograms('/tmp', () => {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LocalCloudError);
    expect(error.message).toContain('prometheus-alertmanager');
    expect(error.message).toContain('apt-get install -y');
    // the codeflow pieces: the build images' tools (git and fcgiwrap live outside PATH too)
    expect(error.message).toMatch(/apt-get install -y .*\bbuildah\b/);
    expect(error.message).toMatch(/apt-get install -y .*\bmmdebstrap\b/);
    expect(error.message).not.toContain('\n');
  });
});

describe('helm', () => {
  it('is built from the pinned Go module with its version stamped in', () => {
    const args = helmInstallArgs();
    expect(args[0]).toBe('install');
    expect(args.at(-1)).toBe(
      `helm.sh/helm/v3/cmd/helm@v${LOCAL_CLOUD_VERSIONS.helm}`,
    );
    expect(args.join(' ')).toContain(
      `helm.sh/helm/v3/internal/version.version=v${LOCAL_CLOUD_VERSIONS.helm}`,
    );
  });

  it("stamps the Kubernetes version of helm's own client-go, as helm's Makefile does", () => {
    const found = spawnSync(
      'go',
      [
        'mod',
        'download',
        '-json',
        `helm.sh/helm/v3@v${LOCAL_CLOUD_VERSIONS.helm}`,
      ],
      { encoding: 'utf8', env: { ...process.env, GOFLAGS: '' } },
    );
    expect(found.stderr).toBe('');
    const goMod = fs.readFileSync(JSON.parse(found.stdout).GoMod, 'utf8');
    const [, minor] = goMod.match(/\tk8s\.io\/client-go v0\.(\d+)\./)!;
    expect(Number(minor)).toBe(HELM_KUBERNETES_MINOR);
    expect(helmInstallArgs().join(' ')).toContain(
      `helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${HELM_KUBERNETES_MINOR}`,
    );
  });

  it('says in one line that Go is needed to build helm when go is missing', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-helm-'));
    try {
      const settings = resolveSettings({ cacheDir }, {});
      const error = await ensureHelm(settings, () => {}, {
        PATH: '/nonexistent',
      }).catch(e => e);
      expect(error).toBeInstanceOf(LocalCloudError);
      expect(error.message).toBe(
        `the Go toolchain (go) is not on PATH; it is needed once to build helm v${LOCAL_CLOUD_VERSIONS.helm} (the app store's engine) from the Go module proxy: install Go 1.26 or newer and retry`,
      );
      expect(fs.existsSync(helmPath(settings))).toBe(false);
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('appStoreAppConfig', () => {
  it("points the app store at the built helm and the registry's charts over plain HTTP", () => {
    const config = appStoreAppConfig('/cache/helm-v3/bin/helm', 16496);
    expect(config).toEqual({
      helm: '/cache/helm-v3/bin/helm',
      repositories: [
        {
          name: 'local',
          url: 'oci://127.0.0.1:16496/charts',
          plainHttp: true,
        },
      ],
    });
    expect(chartsRepository(20096)).toBe('oci://127.0.0.1:20096/charts');
    // what local-cloud writes reads back as the same data
    expect(loadYaml(toYaml({ appStore: config }))).toEqual({
      appStore: config,
    });
  });
});

describe('leadsOwnGroup', () => {
  it('tells a process started detached (its own group, as local-cloud starts each) from one that is not', () => {
    const detached = spawn('sleep', ['30'], {
      detached: true,
      stdio: 'ignore',
    });
    const attached = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      expect(leadsOwnGroup(detached.pid!)).toBe(true);
      expect(leadsOwnGroup(attached.pid!)).toBe(false);
      expect(leadsOwnGroup(2 ** 22 + 1)).toBe(false);
    } finally {
      detached.kill();
      attached.kill();
    }
  });
});
