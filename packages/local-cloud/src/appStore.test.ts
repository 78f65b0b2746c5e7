import { loadYaml } from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { LOCAL_CLOUD_VERSIONS } from './settings';
import { useLocalCloud } from './testing';

const lc = useLocalCloud();

describe('the app store on the local cloud', () => {
  it("has the helm 'up' built, and names it and the charts' registry in the generated app-config", () => {
    const { info, cloud } = lc;
    const version = spawnSync(info.helm.binary, ['version', '--short'], {
      encoding: 'utf8',
    });
    expect(version.stderr).toBe('');
    expect(version.stdout).toMatch(
      new RegExp(`^v${LOCAL_CLOUD_VERSIONS.helm.replace(/\./g, '\\.')}\\b`),
    );
    const appConfig = loadYaml(fs.readFileSync(info.appConfig, 'utf8')) as any;
    expect(appConfig.containerCloud.appStore).toEqual({
      helm: info.helm.binary,
      repositories: [
        { name: 'local', url: info.registry.charts, plainHttp: true },
      ],
    });
    expect(info.registry.charts).toBe(
      `oci://127.0.0.1:${cloud.settings.registryPort}/charts`,
    );
    expect(cloud.envExports()).toContain(
      `LOCAL_CLOUD_HELM='${info.helm.binary}'\n`,
    );
  });
});
