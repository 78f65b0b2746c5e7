import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import {
  defaultTrustedOrigins,
  isPlaced,
  isTrustedOrigin,
  parsePlacements,
  placementsWithin,
  readBindingConfig,
  spellOutPlacements,
} from './bindingConfig';

describe('binding config', () => {
  it('trusts the catalog locations as the catalog resolves them, and each CMDB provider', () => {
    const config = new ConfigReader({
      catalog: {
        locations: [
          { type: 'file', target: '../../examples/entities.yaml' },
          { type: 'url', target: 'https://github.com/acme/catalog/all.yaml' },
        ],
        providers: { cmdb: { servicenow: {}, legacy: {} } },
      },
    });
    expect(defaultTrustedOrigins(config)).toEqual([
      `file:${path.resolve('../../examples/entities.yaml')}`,
      'url:https://github.com/acme/catalog/all.yaml',
      'cmdb:servicenow',
      'cmdb:legacy',
    ]);
  });

  it('takes trustedOrigins as written, instead of the default', () => {
    const config = new ConfigReader({
      catalog: { locations: [{ type: 'file', target: 'a.yaml' }] },
      containerCloud: {
        binding: {
          trustedOrigins: ['cmdb:servicenow'],
          requirePlacements: true,
        },
      },
    });
    const binding = readBindingConfig(config);
    expect(binding.trustedOrigins).toEqual(['cmdb:servicenow']);
    expect(binding.requirePlacements).toBe(true);
  });

  it('adds additionalTrustedOrigins to the default, or to trustedOrigins', () => {
    const locations = [{ type: 'file', target: 'a.yaml' }];
    const extra = ['url:http://127.0.0.1:16498/*'];
    expect(
      readBindingConfig(
        new ConfigReader({
          catalog: { locations },
          containerCloud: { binding: { additionalTrustedOrigins: extra } },
        }),
      ).trustedOrigins,
    ).toEqual([`file:${path.resolve('a.yaml')}`, ...extra]);
    expect(
      readBindingConfig(
        new ConfigReader({
          catalog: { locations },
          containerCloud: {
            binding: {
              trustedOrigins: ['cmdb:servicenow'],
              additionalTrustedOrigins: extra,
            },
          },
        }),
      ).trustedOrigins,
    ).toEqual(['cmdb:servicenow', ...extra]);
  });

  it('requires no placements by default', () => {
    expect(readBindingConfig(new ConfigReader({})).requirePlacements).toBe(
      false,
    );
  });

  it('matches origins exactly, or as a prefix when the entry ends in *', () => {
    const trusted = [
      'url:http://fixtures/catalog.yaml',
      'url:https://github.com/acme/*',
    ];
    expect(isTrustedOrigin('url:http://fixtures/catalog.yaml', trusted)).toBe(
      true,
    );
    expect(
      isTrustedOrigin('url:http://fixtures/catalog.yaml.evil', trusted),
    ).toBe(false);
    expect(isTrustedOrigin('url:https://github.com/acme/x.yaml', trusted)).toBe(
      true,
    );
    expect(
      isTrustedOrigin('url:https://github.com/acmeevil/x.yaml', trusted),
    ).toBe(false);
    expect(isTrustedOrigin(undefined, trusted)).toBe(false);
  });

  it('parses placements and matches a * cluster to every cluster', () => {
    const placements = parsePlacements(' local-a/payments, */orders ');
    expect(placements).toEqual([
      { cluster: 'local-a', namespace: 'payments' },
      { cluster: '*', namespace: 'orders' },
    ]);
    expect(isPlaced(placements, 'local-a', 'payments')).toBe(true);
    expect(isPlaced(placements, 'local-b', 'payments')).toBe(false);
    expect(isPlaced(placements, 'local-b', 'orders')).toBe(true);
  });

  it.each(['payments', 'local-a/*', 'a/b/c', 'local-a/Payments'])(
    'refuses the placement %s in words',
    text => {
      expect(() => parsePlacements(text)).toThrow(/is not a placement/);
    },
  );

  it('reads ops placements per entity ref and names the key of one that does not parse', () => {
    expect(
      readBindingConfig(
        new ConfigReader({
          containerCloud: {
            binding: {
              placements: {
                'component:default/payments-api': ['local-a/payments'],
              },
            },
          },
        }),
      ).placements.get('component:default/payments-api'),
    ).toEqual([{ cluster: 'local-a', namespace: 'payments' }]);
    expect(() =>
      readBindingConfig(
        new ConfigReader({
          containerCloud: {
            binding: { placements: { 'component:default/x': ['nope'] } },
          },
        }),
      ),
    ).toThrow(/containerCloud.binding.placements.component:default\/x/);
  });

  it('reads team placements per group, a short name meaning a group of the default namespace', () => {
    const binding = readBindingConfig(
      new ConfigReader({
        containerCloud: {
          binding: {
            teamPlacements: {
              'group:default/Team-Payments': ['*/payments', 'local-a/hello'],
              'team-orders': ['local-b/orders'],
            },
            requireTeamPlacements: true,
          },
        },
      }),
    );
    expect(binding.requireTeamPlacements).toBe(true);
    expect([...binding.teamPlacements!.entries()]).toEqual([
      [
        'group:default/team-payments',
        [
          { cluster: '*', namespace: 'payments' },
          { cluster: 'local-a', namespace: 'hello' },
        ],
      ],
      [
        'group:default/team-orders',
        [{ cluster: 'local-b', namespace: 'orders' }],
      ],
    ]);
    expect(readBindingConfig(new ConfigReader({})).requireTeamPlacements).toBe(
      false,
    );
  });

  it('refuses a team placement that does not parse, naming the key', () => {
    expect(() =>
      readBindingConfig(
        new ConfigReader({
          containerCloud: {
            binding: { teamPlacements: { 'team-payments': ['payments'] } },
          },
        }),
      ),
    ).toThrow(
      "containerCloud.binding.teamPlacements.team-payments: 'payments' is not a placement",
    );
  });

  it('keeps the annotated placements inside a grant, narrowing a * cluster', () => {
    expect(
      placementsWithin(
        [
          { cluster: '*', namespace: 'a' },
          { cluster: '*', namespace: 'b' },
          { cluster: 'x', namespace: 'c' },
          { cluster: 'y', namespace: 'b' },
        ],
        [
          { cluster: '*', namespace: 'a' },
          { cluster: 'x', namespace: 'b' },
        ],
      ),
    ).toEqual({
      kept: [
        { cluster: '*', namespace: 'a' },
        { cluster: 'x', namespace: 'b' },
      ],
      dropped: [
        { cluster: 'x', namespace: 'c' },
        { cluster: 'y', namespace: 'b' },
      ],
      narrowed: [
        {
          from: { cluster: '*', namespace: 'b' },
          to: [{ cluster: 'x', namespace: 'b' }],
        },
      ],
    });
    expect(
      spellOutPlacements(
        [
          { cluster: '*', namespace: 'a' },
          { cluster: 'gone', namespace: 'b' },
          { cluster: 'x', namespace: 'a' },
        ],
        ['x', 'y'],
      ),
    ).toEqual([
      { cluster: 'x', namespace: 'a' },
      { cluster: 'y', namespace: 'a' },
    ]);
  });
});
