import { InputError } from '@backstage/errors';
import type { V1Secret } from '@kubernetes/client-node';
import { APP_STORE_SECRET_MARKS } from '@internal/plugin-container-cloud-common';
import { auditedBody } from '../../lib/auditedBody';
import { assertAppStoreSecrets, refusalOf } from './appStoreSecrets';

const service = {
  entityRef: 'component:default/payments-api',
  owners: ['group:default/team-payments'],
};
const ref = { name: 'db-auth', key: 'password' };

function marked(owner?: string, instance = 'local-a/payments/db'): V1Secret {
  return {
    metadata: {
      name: 'db-auth',
      annotations: {
        [APP_STORE_SECRET_MARKS.helmReleaseAnnotation]: 'db',
        ...(owner ? { [APP_STORE_SECRET_MARKS.ownerAnnotation]: owner } : {}),
        ...(instance
          ? { [APP_STORE_SECRET_MARKS.instanceAnnotation]: instance }
          : {}),
      },
    },
    data: { password: 'cGFzcw==' },
  };
}
const there = { cluster: 'local-a', namespace: 'payments' };

describe('which Secrets a service may reference', () => {
  it.each([
    ['the service itself', 'component:default/payments-api'],
    ['its owner group', 'group:default/team-payments'],
    ['its owner group, spelled in capitals', 'Group:default/Team-Payments'],
  ])('allows the app store’s Secret owned by %s', (_, owner) => {
    expect(refusalOf(marked(owner), ref, service, there)).toBeUndefined();
  });

  it.each([
    [
      'no Secret',
      undefined,
      "there is no Secret db-auth in namespace 'payments' of cluster 'local-a'",
    ],
    [
      'a Secret without marks',
      marked(undefined, ''),
      'is not one the app store made for this service',
    ],
    [
      'the owner annotation without the instance',
      marked('component:default/payments-api', ''),
      'is not one the app store made for this service',
    ],
    [
      'the marks of a release in another namespace',
      marked('component:default/payments-api', 'local-a/orders/db'),
      'is not one the app store made for this service',
    ],
    [
      'the marks of another release',
      marked('component:default/payments-api', 'local-a/payments/other'),
      'is not one the app store made for this service',
    ],
    [
      'the app store’s Secret of another service',
      marked('component:default/orders-api'),
      'is not one the app store made for this service',
    ],
    [
      'the app store’s Secret of another group',
      marked('group:default/team-orders'),
      'is not one the app store made for this service',
    ],
  ])('refuses %s', (_, secret, words) => {
    expect(refusalOf(secret, ref, service, there)).toContain(words);
  });

  it('refuses a key the Secret does not have, naming the keys it has', () => {
    expect(
      refusalOf(
        marked('group:default/team-payments'),
        { name: 'db-auth', key: 'pw' },
        service,
        there,
      ),
    ).toBe("the Secret db-auth has no key 'pw' (it has: password)");
  });

  it('reads only the Secrets the variables name, and answers a 400 naming the variable', async () => {
    const read = jest.fn(async () => marked('component:default/orders-api'));
    const check = assertAppStoreSecrets(
      read,
      { cluster: 'local-a', namespace: 'payments' },
      [
        { name: 'PLAIN', value: 'x' },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: ref } },
      ],
      service,
    );
    await expect(check).rejects.toThrow(InputError);
    await expect(check).rejects.toThrow(
      'invalid config: env DB_PASSWORD: the Secret db-auth is not one the app store made for this service',
    );
    expect(read).toHaveBeenCalledTimes(1);
    expect(read).toHaveBeenCalledWith('payments', 'db-auth');
  });

  it('keeps where a variable comes from in the audit, never a value', () => {
    expect(
      auditedBody({
        container: 'app',
        env: [
          { name: 'PLAIN', value: 'hunter2' },
          {
            name: 'DB_PASSWORD',
            valueFrom: { secretKeyRef: ref },
            value: 'smuggled',
          },
        ],
      }),
    ).toEqual({
      container: 'app',
      env: [
        { name: 'PLAIN', value: '<redacted>' },
        {
          name: 'DB_PASSWORD',
          valueFrom: { secretKeyRef: { name: 'db-auth', key: 'password' } },
        },
      ],
    });
  });
});
