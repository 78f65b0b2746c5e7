import { rangeOf } from './routes';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 31, 15, 30);

describe('rangeOf', () => {
  it('defaults to the last 24 hours of samples', () => {
    expect(rangeOf({}, NOW)).toEqual({
      from: NOW - DAY,
      to: NOW,
      resolution: 'sample',
      averagesResolution: 'sample',
      averagesFrom: NOW - DAY,
    });
  });

  it('charts a week by the hour and averages it from the same hours', () => {
    const range = rangeOf({ from: new Date(NOW - 7 * DAY).toISOString() }, NOW);
    expect(range.resolution).toBe('hour');
    expect(range.averagesResolution).toBe('hour');
  });

  it('averages a month from its days, the first day whole, and charts it by the hour', () => {
    const range = rangeOf(
      { from: new Date(NOW - 30 * DAY).toISOString() },
      NOW,
    );
    expect(range.resolution).toBe('hour');
    expect(range.averagesResolution).toBe('day');
    expect(range.averagesFrom).toBe(Date.UTC(2026, 11, 1));
  });

  it('charts a year by the day', () => {
    expect(
      rangeOf({ from: new Date(NOW - 365 * DAY).toISOString() }, NOW)
        .resolution,
    ).toBe('day');
  });
});
