import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { NotAllowedError } from '@backstage/errors';
import { ServiceBindings } from './ServiceBindings';

const TRUSTED = 'url:http://fixtures/catalog.yaml';

function component(
  ref: string,
  origin: string,
  annotations: Record<string, string> = {},
  owner?: string,
): Entity {
  const [namespace, name] = ref.split('/');
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace,
      annotations: {
        'backstage.io/managed-by-origin-location': origin,
        ...annotations,
      },
    },
    spec: owner ? { owner } : {},
  };
}

/** A catalog that answers every query with all its entities (the bindings filter exactly). */
function bindings(entities: Entity[], binding: object = {}) {
  const catalog = {
    getEntities: async () => ({ items: entities }),
  } as unknown as CatalogService;
  return new ServiceBindings(
    {
      trustedOrigins: [TRUSTED, 'cmdb:servicenow'],
      requirePlacements: false,
      placements: new Map(),
      ...binding,
    },
    catalog,
    mockServices.auth(),
  );
}

describe('ServiceBindings', () => {
  const victim = component('default/payments-api', TRUSTED, {
    'backstage.io/kubernetes-id': 'payments-api',
    'container-cloud.io/placements': 'local-a/payments, */shared',
  });

  it('binds a trusted, unique claimant to its labelled workloads in its placements', async () => {
    const binding = await bindings([victim]).resolve(victim);
    expect(binding.status).toEqual({
      state: 'bound',
      kubernetesId: 'payments-api',
      placements: [
        { cluster: 'local-a', namespace: 'payments' },
        { cluster: '*', namespace: 'shared' },
      ],
    });
    expect(binding.idIn('local-a', 'payments')).toBe('payments-api');
    expect(binding.idIn('local-b', 'shared')).toBe('payments-api');
    expect(() => binding.idIn('local-b', 'payments')).toThrow(
      "component:default/payments-api may not touch namespace 'payments' in cluster 'local-b': its workloads are only in local-a/payments, */shared",
    );
  });

  it('binds every namespace when the entity names none and placements are not required', async () => {
    const plain = component('default/orders-api', TRUSTED);
    const binding = await bindings([plain]).resolve(plain);
    expect(binding.status).toEqual({
      state: 'bound',
      kubernetesId: 'orders-api',
    });
    expect(binding.idIn('any', 'where')).toBe('orders-api');
    expect(binding.visiblePlacements()).toBeUndefined();
  });

  it('binds nothing without placements when they are required, and says so', async () => {
    const plain = component('default/orders-api', TRUSTED);
    const binding = await bindings([plain], {
      requirePlacements: true,
    }).resolve(plain);
    expect(binding.status.state).toBe('unplaced');
    expect(binding.status.message).toContain('container-cloud.io/placements');
    expect(binding.visiblePlacements()).toEqual([]);
    expect(() => binding.idIn('local-a', 'orders')).toThrow(NotAllowedError);
  });

  it('takes ops placements over the annotation', async () => {
    const binding = await bindings([victim], {
      placements: new Map([
        [
          'component:default/payments-api',
          [{ cluster: 'local-b', namespace: 'pay' }],
        ],
      ]),
    }).resolve(victim);
    expect(binding.status.placements).toEqual([
      { cluster: 'local-b', namespace: 'pay' },
    ]);
  });

  it('binds nothing to an entity from an untrusted origin, whatever it claims', async () => {
    const impostor = component(
      'attackers/payments-api',
      'url:https://github.com/bob/x.yaml',
      {
        'container-cloud.io/placements': '*/payments',
      },
    );
    const binding = await bindings([victim, impostor]).resolve(impostor);
    expect(binding.status).toMatchObject({
      state: 'untrusted',
      kubernetesId: 'payments-api',
    });
    expect(binding.status.message).toContain('not a trusted origin');
    expect(binding.visiblePlacements()).toEqual([]);
    expect(() => binding.idIn('local-a', 'payments')).toThrow(NotAllowedError);
    // and it takes nothing away from the victim
    expect(
      (await bindings([victim, impostor]).resolve(victim)).status.state,
    ).toBe('bound');
  });

  it('refuses both trusted claimants of one id, naming the other', async () => {
    const second = component('cmdb/payments', 'cmdb:servicenow', {
      'backstage.io/kubernetes-id': 'payments-api',
    });
    const [a, b] = await bindings([victim, second]).resolveMany([
      victim,
      second,
    ]);
    expect(a.status).toMatchObject({
      state: 'conflict',
      conflictsWith: ['component:cmdb/payments'],
    });
    expect(b.status).toMatchObject({
      state: 'conflict',
      conflictsWith: ['component:default/payments-api'],
    });
    expect(() => a.idIn('local-a', 'payments')).toThrow(
      /component:cmdb\/payments also claims kubernetes id 'payments-api'/,
    );
  });

  it('counts a trusted Component without annotation as claiming its name', async () => {
    const byName = component('other/payments-api', TRUSTED);
    const binding = await bindings([victim, byName]).resolve(victim);
    expect(binding.status.conflictsWith).toEqual([
      'component:other/payments-api',
    ]);
  });

  it('names the trusted claimants of an id, untrusted ones left out', async () => {
    const impostor = component(
      'attackers/x',
      'url:https://github.com/bob/x.yaml',
      {
        'backstage.io/kubernetes-id': 'payments-api',
      },
    );
    const all = bindings([victim, impostor]);
    expect(await all.claimantsOf('payments-api')).toEqual([
      'component:default/payments-api',
    ]);
    expect(await all.claimantsOf('nobody')).toEqual([]);
  });

  it('does not count a Component whose annotation claims another id under the same name', async () => {
    const renamed = component('other/payments-api', TRUSTED, {
      'backstage.io/kubernetes-id': 'payments-api-v2',
    });
    expect(
      (await bindings([victim, renamed]).resolve(victim)).status.state,
    ).toBe('bound');
  });

  it('binds nothing to an entity whose placements do not parse', async () => {
    const bad = component('default/bad', TRUSTED, {
      'container-cloud.io/placements': 'payments',
    });
    const binding = await bindings([bad]).resolve(bad);
    expect(binding.status.state).toBe('unplaced');
    expect(binding.status.message).toContain('is not a placement');
  });

  it('asks the catalog for the claimants of an id once per few seconds, and again after', async () => {
    let queries = 0;
    let entities = [victim];
    const catalog = {
      getEntities: async () => {
        queries++;
        return { items: entities };
      },
    } as unknown as CatalogService;
    let now = 1_000_000;
    const cached = new ServiceBindings(
      {
        trustedOrigins: [TRUSTED],
        requirePlacements: false,
        placements: new Map(),
      },
      catalog,
      mockServices.auth(),
      { ttlMs: 5_000, now: () => now },
    );
    expect((await cached.resolve(victim)).status.state).toBe('bound');
    // a second trusted claimant appears; within the window the answer is the remembered one
    entities = [
      victim,
      component('other/payments-api', TRUSTED, {
        'backstage.io/kubernetes-id': 'payments-api',
      }),
    ];
    now += 4_000;
    expect((await cached.resolve(victim)).status.state).toBe('bound');
    expect(queries).toBe(1);
    now += 1_000;
    expect((await cached.resolve(victim)).status.state).toBe('conflict');
    expect(queries).toBe(2);
  });

  describe('team placements (containerCloud.binding.teamPlacements)', () => {
    const GIT = 'url:http://127.0.0.1:16498/*';
    const teamPlacements = new Map([
      [
        'group:default/team-payments',
        [
          { cluster: '*', namespace: 'payments' },
          { cluster: 'local-a', namespace: 'hello' },
        ],
      ],
    ]);
    const fromTemplate = (placements: string, owner = 'team-payments') =>
      component(
        'default/new-svc',
        'url:http://127.0.0.1:16498/new-svc.git/raw/main/catalog-info.yaml',
        { 'container-cloud.io/placements': placements },
        owner,
      );
    const resolve = (entity: Entity, binding: object = {}) =>
      bindings([entity], {
        trustedOrigins: [GIT],
        teamPlacements,
        ...binding,
      }).resolve(entity);

    it('covers an annotation inside the owner group’s grant, whole', async () => {
      const binding = await resolve(
        fromTemplate('local-a/payments, */payments, local-a/hello'),
      );
      expect(binding.status).toEqual({
        state: 'bound',
        kubernetesId: 'new-svc',
        placements: [
          { cluster: 'local-a', namespace: 'payments' },
          { cluster: '*', namespace: 'payments' },
          { cluster: 'local-a', namespace: 'hello' },
        ],
      });
      expect(binding.idIn('local-b', 'payments')).toBe('new-svc');
    });

    it('drops what lies outside the grant, and says what and why', async () => {
      const binding = await resolve(
        fromTemplate('local-a/payments, local-b/kube-system, */hello'),
      );
      expect(binding.status.state).toBe('bound');
      // */hello narrows to the one cluster the team has hello in
      expect(binding.status.placements).toEqual([
        { cluster: 'local-a', namespace: 'payments' },
        { cluster: 'local-a', namespace: 'hello' },
      ]);
      expect(binding.status.message).toBe(
        'component:default/new-svc controls its workloads in local-a/payments, local-a/hello only: local-b/kube-system is outside what ops granted group:default/team-payments; */hello counts only in local-a/hello, where ops granted group:default/team-payments that namespace (group:default/team-payments: */payments, local-a/hello, containerCloud.binding.teamPlacements).',
      );
      expect(binding.reported()).toEqual(binding.status);
      expect(() => binding.idIn('local-b', 'kube-system')).toThrow(
        NotAllowedError,
      );
      expect(() => binding.idIn('local-b', 'hello')).toThrow(NotAllowedError);
    });

    it('binds nothing when no annotated placement is inside the grant', async () => {
      const binding = await resolve(fromTemplate('*/kube-system'));
      expect(binding.status.state).toBe('unplaced');
      expect(binding.status.message).toContain(
        '*/kube-system is outside what ops granted group:default/team-payments',
      );
      expect(binding.visiblePlacements()).toEqual([]);
    });

    it('does not narrow what ops set per entity (containerCloud.binding.placements)', async () => {
      const binding = await resolve(fromTemplate('*/kube-system'), {
        placements: new Map([
          [
            'component:default/new-svc',
            [{ cluster: 'local-b', namespace: 'ops' }],
          ],
        ]),
      });
      expect(binding.status).toEqual({
        state: 'bound',
        kubernetesId: 'new-svc',
        placements: [{ cluster: 'local-b', namespace: 'ops' }],
      });
    });

    it('takes the annotation as it is for an owner without a grant, unless grants are required', async () => {
      const orders = fromTemplate('*/anything', 'group:default/team-orders');
      expect((await resolve(orders)).status).toEqual({
        state: 'bound',
        kubernetesId: 'new-svc',
        placements: [{ cluster: '*', namespace: 'anything' }],
      });
      const required = await resolve(orders, { requireTeamPlacements: true });
      expect(required.status.state).toBe('unplaced');
      expect(required.status.message).toBe(
        "component:default/new-svc controls no workloads: its owner group:default/team-orders has been granted no clusters and namespaces, and this portal takes a container-cloud.io/placements annotation only inside its owner's grant (containerCloud.binding.requireTeamPlacements). Ask ops to grant group:default/team-orders placements (containerCloud.binding.teamPlacements).",
      );
      expect(() => required.idIn('local-a', 'anything')).toThrow(
        NotAllowedError,
      );
    });

    it('leaves a Component without annotation as it was when grants are not required', async () => {
      const plain = component('default/old', GIT, {}, 'team-orders');
      expect((await resolve(plain)).status).toEqual({
        state: 'bound',
        kubernetesId: 'old',
      });
    });

    it('binds a Component without placements to its owner’s grant when grants are required, and to nothing without a grant', async () => {
      // without the grant it would control its id's workloads in every namespace of every cluster
      const payments = component('default/plain', GIT, {}, 'team-payments');
      const granted = await resolve(payments, { requireTeamPlacements: true });
      expect(granted.status).toEqual({
        state: 'bound',
        kubernetesId: 'plain',
        placements: [
          { cluster: '*', namespace: 'payments' },
          { cluster: 'local-a', namespace: 'hello' },
        ],
        message:
          'component:default/plain names no cluster and namespace (container-cloud.io/placements): it controls its workloads where ops granted group:default/team-payments: */payments, local-a/hello (containerCloud.binding.teamPlacements).',
      });
      expect(granted.idIn('local-b', 'payments')).toBe('plain');
      expect(() => granted.idIn('local-b', 'kube-system')).toThrow(
        NotAllowedError,
      );

      const orders = component('default/old', GIT, {}, 'team-orders');
      const none = await resolve(orders, { requireTeamPlacements: true });
      expect(none.status.state).toBe('unplaced');
      expect(none.status.message).toBe(
        'component:default/old controls no workloads: it names no cluster and namespace, and its owner group:default/team-orders has been granted none (containerCloud.binding.requireTeamPlacements). Ask ops to grant group:default/team-orders placements (containerCloud.binding.teamPlacements).',
      );
      expect(() => none.idIn('local-a', 'orders')).toThrow(NotAllowedError);
    });

    it('never narrows what ops set per entity, even without an annotation', async () => {
      const plain = component('default/plain', GIT, {}, 'team-orders');
      const binding = await resolve(plain, {
        requireTeamPlacements: true,
        placements: new Map([
          ['component:default/plain', [{ cluster: '*', namespace: 'own' }]],
        ]),
      });
      expect(binding.status).toEqual({
        state: 'bound',
        kubernetesId: 'plain',
        placements: [{ cluster: '*', namespace: 'own' }],
      });
    });
  });
});
