import { ConfigReader } from '@backstage/config';
import { localExecutorFromConfig } from '.';
import { readLocalExecutorSettings, registryHostOf } from './config';
import { mockServices } from '@backstage/backend-test-utils';

type JsonObject = NonNullable<ConstructorParameters<typeof ConfigReader>[0]>;

const codeflow = (extra: JsonObject) =>
  new ConfigReader({ containerCloud: { codeflow: extra } });

describe('containerCloud.codeflow.local', () => {
  it('reads the folders, the build user, the insecure registries and the credentials', () => {
    const settings = readLocalExecutorSettings(
      codeflow({
        local: {
          workDir: '/srv/codeflow/work',
          cacheDir: '/srv/codeflow/cache/',
          storageRoot: '/srv/codeflow/storage',
          runRoot: '/run/codeflow',
          buildUser: 20000,
        },
        registry: {
          repository: '127.0.0.1:16496/codeflow',
          insecure: true,
          credentials: 'registry-bot',
        },
        preprocessingRepository: 'registry.internal:5000/codeflow/preprocessed',
        credentials: [
          { name: 'registry-bot', username: 'bot', password: 'secret' },
        ],
      }),
    );
    expect(settings).toMatchObject({
      workDir: '/srv/codeflow/work',
      cacheDir: '/srv/codeflow/cache',
      storageRoot: '/srv/codeflow/storage',
      runRoot: '/run/codeflow',
      buildUser: 20000,
      registry: {
        insecureHosts: ['127.0.0.1:16496', 'registry.internal:5000'],
        credentials: 'registry-bot',
      },
    });
    expect(settings.credentials.map(c => c.name)).toEqual(['registry-bot']);
  });

  it('has defaults: folders under the temporary folder, uid 10001, TLS verified', () => {
    const settings = readLocalExecutorSettings(
      codeflow({ registry: { repository: 'registry.example.com/codeflow' } }),
    );
    expect(settings.buildUser).toBe(10001);
    expect(settings.workDir).toMatch(/container-cloud-codeflow\/work$/);
    expect(settings.registry.insecureHosts).toEqual([]);
  });

  it.each([
    [{ local: { buildUser: 0 } }, /buildUser must be a numeric uid above 0/],
    [{ local: { buildUser: -5 } }, /buildUser must be a numeric uid above 0/],
    [{ local: { buildUser: 1.5 } }, /buildUser must be a numeric uid above 0/],
    [
      { local: { workDir: 'relative/work' } },
      /workDir must be an absolute path/,
    ],
    [
      { registry: { repository: 'r.example.com/x', credentials: 'nobody' } },
      /names nobody, which is no entry of containerCloud.codeflow.credentials/,
    ],
  ])('refuses %j in words', (extra, message) => {
    expect(() => readLocalExecutorSettings(codeflow(extra))).toThrow(message);
    expect(() =>
      localExecutorFromConfig(codeflow(extra), {
        logger: mockServices.logger.mock(),
      }),
    ).toThrow(message);
  });

  it('finds the registry host of a reference', () => {
    expect(registryHostOf('127.0.0.1:5000/codeflow/app')).toBe(
      '127.0.0.1:5000',
    );
    expect(registryHostOf('registry.example.com/a/b:1')).toBe(
      'registry.example.com',
    );
    expect(registryHostOf('localhost/codeflow-preprocessed')).toBe('localhost');
    expect(registryHostOf('library/node:22')).toBeNull();
    expect(registryHostOf('node:22')).toBeNull();
  });

  it('gives the executor the id local', () => {
    expect(
      localExecutorFromConfig(codeflow({}), {
        logger: mockServices.logger.mock(),
      }).id,
    ).toBe('local');
  });
});
