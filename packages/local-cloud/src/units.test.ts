import { loadYaml } from '@kubernetes/client-node';
import { kubernetesGoMod } from './build/binaries';
import { ensureDebianPrograms } from './debianPackages';
import { LocalCloudError } from './errors';
import { findExampleCatalog, placeServices } from './seed';
import { resolveSettings } from './settings';
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
    ];
    expect(new Set(all).size).toBe(all.length);
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
    expect(error.message).not.toContain('\n');
  });
});
