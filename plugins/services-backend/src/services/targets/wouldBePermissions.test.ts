import { mockCredentials } from '@backstage/backend-test-utils';
import type { PermissionsService } from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { serviceCreatePermission } from '@internal/plugin-container-cloud-common';
import { wouldBeComponent } from './DeployTargets';
import { WouldBeEntityPermissions } from './wouldBePermissions';

/** A policy that makes the create permission conditional on owning, as the suite's does. */
function policyOwning(claims: string[]): PermissionsService {
  return {
    authorize: async requests =>
      requests.map(() => ({ result: AuthorizeResult.DENY })),
    authorizeConditional: async requests =>
      requests.map(r =>
        createCatalogConditionalDecision(
          r.permission as typeof serviceCreatePermission,
          catalogConditions.isEntityOwner({ claims }),
        ),
      ),
  };
}

describe('WouldBeEntityPermissions', () => {
  const credentials = mockCredentials.user('user:default/alice');

  it.each([
    ['allows', ['group:default/team-payments'], AuthorizeResult.ALLOW],
    ['denies', ['group:default/team-orders'], AuthorizeResult.DENY],
  ])(
    '%s by the catalog’s own rules applied to the would-be Component',
    async (_what, claims, result) => {
      const permissions = new WouldBeEntityPermissions(policyOwning(claims));
      permissions.remember(
        credentials,
        wouldBeComponent('refunds-api', 'group:default/team-payments'),
      );
      expect(
        await permissions.authorize(
          [
            {
              permission: serviceCreatePermission,
              resourceRef: 'component:default/refunds-api',
            },
          ],
          { credentials },
        ),
      ).toEqual([{ result }]);
    },
  );

  it('passes definitive decisions and basic permissions through', async () => {
    const permissions = new WouldBeEntityPermissions({
      authorize: async () => [{ result: AuthorizeResult.ALLOW }],
      authorizeConditional: async () => [{ result: AuthorizeResult.DENY }],
    });
    permissions.remember(
      credentials,
      wouldBeComponent('refunds-api', 'group:default/team-payments'),
    );
    expect(
      await permissions.authorize(
        [
          {
            permission: serviceCreatePermission,
            resourceRef: 'component:default/refunds-api',
          },
          { permission: createPermission({ name: 'x', attributes: {} }) },
        ],
        { credentials },
      ),
    ).toEqual([
      { result: AuthorizeResult.DENY },
      { result: AuthorizeResult.ALLOW },
    ]);
  });

  it('refuses to decide on an entity no lookup remembered', async () => {
    const permissions = new WouldBeEntityPermissions(policyOwning([]));
    await expect(
      permissions.authorize(
        [
          {
            permission: serviceCreatePermission,
            resourceRef: 'component:default/refunds-api',
          },
        ],
        { credentials: mockCredentials.user('user:default/bob') },
      ),
    ).rejects.toThrow('no would-be entity was looked up for this request');
  });
});
