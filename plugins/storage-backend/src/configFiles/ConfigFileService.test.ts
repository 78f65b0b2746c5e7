import { mockServices } from '@backstage/backend-test-utils';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  ContainerCloudClustersService,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';
import knexFactory from 'knex';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ConfigFileService } from './ConfigFileService';
import { ConfigFileStore } from './ConfigFileStore';

// the service runs nowhere yet: every save stays in the database
const clusters = {
  names: [],
  serviceView: () => [],
} as unknown as ContainerCloudClustersService;

async function service() {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  await knex.migrate.latest({
    directory: resolvePackagePath(
      '@internal/plugin-storage-backend',
      'migrations',
    ),
  });
  // no encryption key configured
  return new ConfigFileService(
    new ConfigFileStore(knex),
    clusters,
    mockServices.logger.mock(),
    undefined,
  );
}

const owner = {
  entityRef: 'component:default/payments-api',
  binding: new ServiceBinding('component:default/payments-api', {
    state: 'bound',
    kubernetesId: 'payments-api',
  }),
};
const FILES = [{ name: 'db.properties', content: 'password=x\n' }];

describe('ConfigFileService', () => {
  it('refuses a secret set when no encryption key is configured, naming the key, and keeps nothing', async () => {
    const s = await service();
    await expect(
      s.create(owner, 'user:default/alice', {
        name: 'creds',
        secret: true,
        files: FILES,
        message: '',
      }),
    ).rejects.toThrow(
      new InputError(
        'secret: secret file sets need an encryption key, and none is configured (containerCloud.storage.configFiles.encryptionKey); ask ops to set one',
      ),
    );
    expect((await s.list(owner)).items).toEqual([]);
    expect((await s.list(owner)).secretsEnabled).toBe(false);
  });

  it('refuses writes for an entity that controls nothing (not the label alone)', async () => {
    const s = await service();
    const impostor = {
      entityRef: 'component:default/copycat',
      binding: new ServiceBinding('component:default/copycat', {
        state: 'conflict',
        kubernetesId: 'payments-api',
        message: 'payments-api is claimed by two entities',
      }),
    };
    await expect(
      s.create(impostor, 'user:default/bob', {
        name: 'app',
        secret: false,
        files: FILES,
        message: '',
      }),
    ).rejects.toThrow(NotAllowedError);
    await s.create(owner, 'user:default/alice', {
      name: 'app',
      secret: false,
      files: FILES,
      message: '',
    });
    // the impostor does not see the owner's sets either
    expect((await s.list(impostor)).items).toEqual([]);
    await expect(s.view(impostor, 'app')).rejects.toThrow(
      "has no config file set named 'app'",
    );
  });
});
