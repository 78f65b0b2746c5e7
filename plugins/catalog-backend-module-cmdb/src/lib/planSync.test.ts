import { shortHash } from './entityNames';
import { planSync, PlanOptions } from './planSync';
import { CmdbLink, CmdbRecord } from './types';

const options: PlanOptions = {
  providerId: 'acme',
  namespace: 'default',
  baseUrl: 'https://cmdb.example.com',
  defaultLifecycle: 'production',
};

const record = (
  kind: CmdbRecord['kind'],
  id: string,
  name: string,
  extra: Partial<CmdbRecord> = {},
): CmdbRecord => ({ kind, id, name, ...extra });

const org: CmdbRecord[] = [
  record('team', 't-root', 'Platform'),
  record('team', 't-pay', 'Team Payments', {
    parent: 't-root',
    email: 'pay@acme.com',
  }),
  record('person', 'p-alice', 'alice', {
    displayName: 'Alice A',
    memberOf: ['t-pay'],
  }),
  record('businessLine', 'bl-1', 'Retail Banking', { owner: 't-root' }),
  record('project', 'pr-1', 'Checkout', { owner: 't-pay', parent: 'bl-1' }),
  record('service', 's-1', 'Payments API', {
    owner: 't-pay',
    parent: 'pr-1',
    dependsOn: ['s-2'],
    viewUrl: 'https://cmdb.example.com/ci/s-1',
  }),
  record('service', 's-2', 'ledger', {
    owner: 'p-alice',
    lifecycle: 'experimental',
    kubernetesId: 'ledger-v2',
  }),
];

const byRef = (entities: ReturnType<typeof planSync>['entities']) =>
  Object.fromEntries(
    entities.map(e => [`${e.kind.toLowerCase()}:${e.metadata.name}`, e]),
  );

describe('planSync full', () => {
  it('maps every kind with its relations and annotations', () => {
    const plan = planSync('full', org, [], undefined, options);
    expect(plan.skipped).toEqual([]);
    const entities = byRef(plan.entities);
    expect(Object.keys(entities).sort()).toEqual([
      'component:ledger',
      'component:payments-api',
      'domain:retail-banking',
      'group:Platform',
      'group:team-payments',
      'system:Checkout',
      'user:alice',
    ]);
    expect(entities['component:payments-api']).toMatchObject({
      metadata: {
        title: 'Payments API',
        annotations: {
          'cmdb.container-cloud.io/id': 's-1',
          'cmdb.container-cloud.io/provider': 'acme',
          'backstage.io/view-url': 'https://cmdb.example.com/ci/s-1',
          'backstage.io/kubernetes-id': 'payments-api',
        },
      },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: 'group:default/team-payments',
        system: 'system:default/checkout',
        dependsOn: ['component:default/ledger'],
      },
    });
    expect(entities['component:ledger']).toMatchObject({
      metadata: { annotations: { 'backstage.io/kubernetes-id': 'ledger-v2' } },
      spec: { owner: 'user:default/alice', lifecycle: 'experimental' },
    });
    expect(entities['component:ledger'].metadata.title).toBeUndefined();
    expect(entities['system:Checkout'].spec).toEqual({
      owner: 'group:default/team-payments',
      domain: 'domain:default/retail-banking',
    });
    expect(entities['domain:retail-banking'].spec).toEqual({
      owner: 'group:default/platform',
    });
    expect(entities['group:team-payments'].spec).toEqual({
      type: 'team',
      profile: { displayName: 'Team Payments', email: 'pay@acme.com' },
      parent: 'group:default/platform',
      children: [],
    });
    expect(entities['user:alice'].spec).toEqual({
      profile: { displayName: 'Alice A' },
      memberOf: ['group:default/team-payments'],
    });
  });

  it('skips bad records with their id and a reason, and keeps the rest', () => {
    const records = [
      ...org,
      record('service', '', 'no id'),
      record('service', 's-3', ''),
      record('service', 's-4', 'orphan', { owner: 't-gone' }),
      record('service', 's-5', 'unowned'),
      record('service', 's-6', 'ledger', { owner: 't-pay' }),
      record('service', 's-1', 'Payments API again', { owner: 't-pay' }),
      record('project', 'pr-2', 'Lost', { owner: 't-pay', parent: 'bl-gone' }),
      record('team', 't-a', 'A', { parent: 't-b' }),
      record('team', 't-b', 'B', { parent: 't-a' }),
      record('team', 't-c', 'C', { parent: 't-b' }),
      record('service', 's-7', 'owned by cycle', { owner: 't-c' }),
    ];
    const plan = planSync('full', records, [], undefined, options);
    const skipped = Object.fromEntries(
      plan.skipped.map(s => [s.id, s.problem]),
    );
    expect(skipped).toEqual({
      '(none)': 'missing-field',
      's-3': 'missing-field',
      's-4': 'missing-owner',
      's-5': 'missing-field',
      's-6': 'duplicate-name',
      's-1': 'duplicate-id',
      'pr-2': 'missing-parent',
      't-a': 'cycle',
      't-b': 'cycle',
      't-c': 'missing-parent',
      's-7': 'missing-owner',
    });
    expect(plan.skipped.find(s => s.id === 't-a')?.reason).toMatch(
      /t-a → t-b → t-a/,
    );
    expect(plan.entities).toHaveLength(org.length);
  });

  it('uses the default owner for records without one', () => {
    const plan = planSync(
      'full',
      [record('businessLine', 'bl-9', 'Wealth')],
      [],
      undefined,
      { ...options, defaultOwner: 'group:default/cmdb-admins' },
    );
    expect(plan.entities[0].spec).toEqual({
      owner: 'group:default/cmdb-admins',
    });
  });

  it('adds relations from link tables', () => {
    const links: CmdbLink[] = [
      { kind: 'membership', from: 'p-alice', to: 't-root' },
      { kind: 'dependency', from: 's-2', to: 's-1' },
      { kind: 'dependency', from: 's-2', to: 'not-a-service' },
    ];
    const entities = byRef(
      planSync('full', org, links, undefined, options).entities,
    );
    expect(entities['user:alice'].spec?.memberOf).toEqual([
      'group:default/team-payments',
      'group:default/platform',
    ]);
    expect(entities['component:ledger'].spec?.dependsOn).toEqual([
      'component:default/payments-api',
    ]);
  });

  it('lists the entities of the last sync that are gone as removed', () => {
    const first = planSync('full', org, [], undefined, options).nextState();
    const plan = planSync(
      'full',
      org.filter(r => r.id !== 's-2'),
      [],
      first,
      options,
    );
    expect(plan.removedRefs).toEqual(['component:default/ledger']);
  });

  it('keeps a name with the record that held it in the last sync', () => {
    const first = planSync(
      'full',
      [record('service', 's-9', 'Payments API', { owner: 't-root' }), org[0]],
      [],
      undefined,
      options,
    ).nextState();
    const second = planSync(
      'full',
      [
        ...org,
        record('service', 's-9', 'Payments API', { owner: 't-root' }),
      ].filter(r => r.id !== 's-1' || true),
      [],
      first,
      options,
    );
    const names = Object.fromEntries(
      second.entities.map(e => [
        e.metadata.annotations!['cmdb.container-cloud.io/id'],
        e.metadata.name,
      ]),
    );
    // s-1 and s-9 have the same CMDB name: s-9 held it, so s-1 is the duplicate
    expect(names['s-9']).toBe('payments-api');
    expect(second.skipped).toEqual([
      expect.objectContaining({ id: 's-1', problem: 'duplicate-name' }),
    ]);
  });

  it('disambiguates look-alike names by a short hash', () => {
    const plan = planSync(
      'full',
      [...org, record('service', 's-8', 'payments api', { owner: 't-pay' })],
      [],
      undefined,
      options,
    );
    expect(plan.skipped).toEqual([
      expect.objectContaining({ id: 's-8', problem: 'duplicate-name' }),
    ]);
    const other = planSync(
      'full',
      [...org, record('service', 's-8', 'Payments-API', { owner: 't-pay' })],
      [],
      undefined,
      options,
    );
    const names = other.entities.map(e => e.metadata.name);
    expect(names).toContain('Payments-API');
    expect(names).toContain(`payments-api-${shortHash('s-1')}`);
  });
  it('marks its entities as originating from the provider, an origin users cannot register', () => {
    const plan = planSync('full', org, [], undefined, options);
    expect(plan.entities.length).toBeGreaterThan(0);
    for (const entity of plan.entities) {
      expect(
        entity.metadata.annotations?.[
          'backstage.io/managed-by-origin-location'
        ],
      ).toBe('cmdb:acme');
      // the link back to the record stays a url
      expect(
        entity.metadata.annotations?.['backstage.io/managed-by-location'],
      ).toMatch(/^url:https:/);
    }
  });
});

describe('planSync names', () => {
  it('does not let a skipped record take a name from a good one', () => {
    const plan = planSync(
      'full',
      [
        ...org,
        record('service', 's-0', 'Fraud  Check', { owner: 't-gone' }),
        record('service', 's-9', 'Fraud Check', { owner: 't-pay' }),
      ],
      [],
      undefined,
      options,
    );
    expect(plan.skipped).toEqual([
      expect.objectContaining({ id: 's-0', problem: 'missing-owner' }),
    ]);
    expect(plan.entities.map(e => e.metadata.name)).toContain('fraud-check');
  });
});

describe('planSync delta', () => {
  const state = () => planSync('full', org, [], undefined, options).nextState();

  it('emits changed records checked against what the catalog has', () => {
    const previous = state();
    const plan = planSync(
      'delta',
      [
        record('service', 's-2', 'ledger', {
          owner: 't-root',
          lifecycle: 'deprecated',
        }),
        record('service', 's-10', 'fraud check', {
          owner: 't-pay',
          parent: 'pr-1',
        }),
      ],
      [],
      previous,
      options,
    );
    expect(plan.skipped).toEqual([]);
    expect(plan.removedRefs).toEqual([]);
    expect(byRef(plan.entities)['component:fraud-check'].spec).toMatchObject({
      owner: 'group:default/team-payments',
      system: 'system:default/checkout',
    });
    expect(byRef(plan.entities)['component:ledger'].spec).toMatchObject({
      owner: 'group:default/platform',
      lifecycle: 'deprecated',
    });
    expect(plan.nextState().size).toBe(org.length + 1);
  });

  it('removes deleted records and the old name of renamed ones', () => {
    const plan = planSync(
      'delta',
      [
        record('service', 's-2', 'ledger', { deleted: true }),
        record('service', 's-1', 'Payments Gateway', { owner: 't-pay' }),
      ],
      [],
      state(),
      options,
    );
    expect(plan.removedRefs.sort()).toEqual([
      'component:default/ledger',
      'component:default/payments-api',
    ]);
    expect(plan.entities.map(e => e.metadata.name)).toEqual([
      'payments-gateway',
    ]);
    const next = plan.nextState();
    expect(next.get('service', 's-2')).toBeUndefined();
    expect(next.get('service', 's-1')?.name).toBe('payments-gateway');
  });

  it('skips records pointing at missing owners, duplicate names and new cycles', () => {
    const plan = planSync(
      'delta',
      [
        record('service', 's-11', 'x', { owner: 't-nobody' }),
        record('service', 's-12', 'ledger', { owner: 't-pay' }),
        record('team', 't-root', 'Platform', { parent: 't-pay' }),
      ],
      [],
      state(),
      options,
    );
    expect(plan.skipped.map(s => [s.id, s.problem])).toEqual([
      ['s-12', 'duplicate-name'],
      ['t-root', 'cycle'],
      ['s-11', 'missing-owner'],
    ]);
    expect(plan.entities).toEqual([]);
  });

  it('keeps link-table memberships for people it re-emits', () => {
    const previous = planSync(
      'full',
      org,
      [{ kind: 'membership', from: 'p-alice', to: 't-root' }],
      undefined,
      options,
    ).nextState();
    const plan = planSync(
      'delta',
      [record('person', 'p-alice', 'alice', { email: 'alice@acme.com' })],
      [],
      previous,
      options,
    );
    expect(plan.entities[0].spec).toEqual({
      profile: { displayName: 'alice', email: 'alice@acme.com' },
      memberOf: ['group:default/platform'],
    });
  });
});
