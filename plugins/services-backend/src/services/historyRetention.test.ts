import { mockServices } from '@backstage/backend-test-utils';
import {
  DEFAULT_HISTORY_RETENTION_DAYS,
  readHistoryRetentionDays,
} from './historyRetention';

describe('readHistoryRetentionDays', () => {
  const read = (retentionDays?: unknown) =>
    readHistoryRetentionDays(
      mockServices.rootConfig({
        data:
          retentionDays === undefined
            ? {}
            : { containerCloud: { services: { history: { retentionDays } } } },
      }),
    );

  it('is 90 days unless configured', () => {
    expect(read()).toBe(DEFAULT_HISTORY_RETENTION_DAYS);
    expect(DEFAULT_HISTORY_RETENTION_DAYS).toBe(90);
    expect(read(30)).toBe(30);
  });

  it('refuses what is no whole number of days, naming the key', () => {
    for (const value of [0, -1, 1.5]) {
      expect(() => read(value)).toThrow(
        `containerCloud.services.history.retentionDays must be a whole number of days, at least 1; got ${value}`,
      );
    }
  });
});
