import type { Domain } from '@internal/plugin-container-cloud-common';
import { parseDomain, shopDomain } from '../__testUtils__/domains';
import { Directive, domainTree, globalNames } from '../render';
import { findConflicts, listenAddress } from './domainConflicts';

/** Every upstream and variable a rendered tree defines, read from the tree itself. */
function definedInTree(nodes: Directive[]) {
  const upstreams: string[] = [];
  const variables: string[] = [];
  for (const node of nodes) {
    if (node.name === 'upstream') upstreams.push(node.args[0]);
    if (node.name === 'split_clients' || node.name === 'map') {
      variables.push(node.args[1]);
    }
  }
  return { upstreams, variables };
}

describe('domain names shared across a cluster', () => {
  it.each([
    ['gray release with header and cookie', shopDomain()],
    ['no gray release', shopDomain({ grayRelease: undefined })],
    [
      'gray release by weight only',
      shopDomain({
        name: 'a-b',
        grayRelease: { stable: 'stable', canary: 'canary', canaryPercent: 3 },
      }),
    ],
  ])('names exactly what the renderer defines: %s', (_what, domain) => {
    const parsed = parseDomain(domain);
    expect(globalNames(parsed)).toEqual(definedInTree(domainTree(parsed)));
  });

  it('reads listen addresses as nginx does', () => {
    expect(listenAddress({ port: 80 })).toBe('0.0.0.0:80');
    expect(listenAddress({ address: '10.0.0.1', port: 80 })).toBe(
      '10.0.0.1:80',
    );
  });

  it('finds a server name on a listen address another domain serves, in any case', () => {
    const web: Domain = shopDomain({
      name: 'web',
      serverNames: ['web.example.com', '*.Shop.example.com'],
    });
    expect(findConflicts(shopDomain(), [web])).toEqual([
      "serverNames[1] / listen[0]: server name '*.shop.example.com' on 127.0.0.1:18080 is already used by domain 'web'",
    ]);
    // another port, or the same domain saved again: no collision
    expect(
      findConflicts(shopDomain(), [
        { ...web, listen: [{ address: '127.0.0.1', port: 18081 }] },
      ]),
    ).toEqual([]);
    expect(findConflicts(shopDomain(), [shopDomain()])).toEqual([]);
  });

  it('finds upstream and variable names another domain defines', () => {
    const other = shopDomain({
      name: 'shop_x' as string,
      serverNames: ['x.example.com'],
    });
    const edited = shopDomain({
      name: 'shop-x',
      serverNames: ['y.example.com'],
    });
    // shop-x's variables are $cc_shop_x_*, as are those of the (schema-less) shop_x
    expect(findConflicts(edited, [other])).toEqual([
      "grayRelease: variable '$cc_shop_x_split' is already used by domain 'shop_x'",
      "grayRelease: variable '$cc_shop_x_cookie' is already used by domain 'shop_x'",
      "grayRelease: variable '$cc_shop_x_header' is already used by domain 'shop_x'",
    ]);
  });
});
