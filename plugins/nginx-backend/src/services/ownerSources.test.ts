import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { ServiceBindings } from '@internal/plugin-container-cloud-node';
import { serviceEntity } from '@internal/plugin-container-cloud-node/testing';
import { ownerSourceCheck, refuseOwnerSources } from './ownerSources';

const SOURCE = {
  cluster: 'local-a',
  namespace: 'shop',
  service: 'shop',
  port: 80,
};

function check(
  entities: Entity[],
  labels = { 'backstage.io/kubernetes-id': 'shop' },
) {
  const catalog = {
    getEntityByRef: async (ref: string) =>
      entities.find(e => `component:default/${e.metadata.name}` === ref),
    getEntities: async () => ({ items: entities }),
  } as unknown as CatalogService;
  const auth = mockServices.auth();
  return ownerSourceCheck({
    catalog,
    auth,
    bindings: new ServiceBindings(
      {
        trustedOrigins: ['url:http://fixtures/catalog.yaml'],
        requirePlacements: false,
        placements: new Map(),
      },
      catalog,
      auth,
    ),
    serviceLabels: async () => labels,
  });
}

describe("owners' Kubernetes sources", () => {
  const shop = serviceEntity('shop', 'group:default/team-payments');

  it('lets static members through without asking anything', async () => {
    await expect(
      check([])('component:default/shop', [{ name: 'stable' }]),
    ).resolves.toBeUndefined();
  });

  it("lets the owner's own labelled Service through", async () => {
    await expect(
      check([shop])('component:default/shop', [
        { name: 'stable', kubernetes: [SOURCE] },
      ]),
    ).resolves.toBeUndefined();
  });

  it('refuses every source of a domain whose service is not trusted', async () => {
    const impostor = serviceEntity('shop', 'group:default/team-orders', {
      'backstage.io/managed-by-origin-location':
        'url:https://github.com/bob/x.yaml',
    });
    await expect(
      check([impostor])('component:default/shop', [
        { name: 'stable', kubernetes: [SOURCE] },
      ]),
    ).rejects.toThrow(
      /only ops admins may add Kubernetes sources to this domain: component:default\/shop controls no workloads/,
    );
  });

  it('refuses a domain whose owner is not in the catalog', async () => {
    await expect(
      check([])('component:default/shop', [
        { name: 'stable', kubernetes: [SOURCE] },
      ]),
    ).rejects.toThrow(/is not in the catalog/);
  });

  it('refuses every owner source where no check is configured', async () => {
    await expect(
      refuseOwnerSources('component:default/shop', [
        { name: 'stable', kubernetes: [SOURCE] },
      ]),
    ).rejects.toThrow(/only ops admins/);
  });
});
