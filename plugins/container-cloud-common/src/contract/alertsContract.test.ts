import {
  alertRuleDeleteQuerySchema,
  alertRuleRollbackSchema,
  autoscalingSaveSchema,
  receiverUpdateSchema,
  silenceParamsSchema,
} from '.';

function messages(result: {
  success: boolean;
  error?: { issues: { message: string }[] };
}) {
  return result.success ? [] : result.error!.issues.map(i => i.message);
}

describe('the alerting contract', () => {
  it('refuses a base version whose next version would not fit the database', () => {
    expect(
      messages(
        alertRuleDeleteQuerySchema.safeParse({ baseVersion: '2147483647' }),
      ),
    ).toContain('no rules have a version that large');
    expect(
      alertRuleDeleteQuerySchema.safeParse({ baseVersion: '2147483646' })
        .success,
    ).toBe(true);
    expect(
      messages(
        alertRuleRollbackSchema.safeParse({
          version: 1,
          baseVersion: 2147483647,
        }),
      ),
    ).toContain('no rules have a version that large');
    expect(
      messages(
        autoscalingSaveSchema.safeParse({
          enabled: false,
          deployment: 'payments-worker',
          metric: 'cpu',
          target: 50,
          minReplicas: 1,
          maxReplicas: 2,
          version: 2147483647,
        }),
      ),
    ).toContain('version is too large');
    expect(
      messages(
        receiverUpdateSchema.safeParse({ version: 2147483647 } as unknown),
      ),
    ).toContain('no receiver has a version that large');
  });

  it('takes only a UUID as a silence id', () => {
    const params = { namespace: 'default', name: 'payments-worker' };
    expect(
      messages(
        silenceParamsSchema.safeParse({
          ...params,
          silence: 'payments-worker',
        }),
      ),
    ).toEqual(['must be a silence id (a UUID)']);
    expect(
      silenceParamsSchema.safeParse({
        ...params,
        silence: '8a7c1f4e-2b3d-4c5e-9f60-123456789abc',
      }).success,
    ).toBe(true);
  });
});
