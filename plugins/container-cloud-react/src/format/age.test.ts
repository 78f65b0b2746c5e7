import { age } from './age';

describe('age', () => {
  const ago = (seconds: number) =>
    new Date(Date.now() - seconds * 1000).toISOString();

  it('says how long ago in the largest fitting unit', () => {
    expect(age(ago(45))).toBe('45s');
    expect(age(ago(12 * 60))).toBe('12m');
    expect(age(ago(5 * 3600))).toBe('5h');
    expect(age(ago(3 * 86400))).toBe('3d');
  });

  it('says nothing without a time, and never a negative age', () => {
    expect(age(undefined)).toBe('');
    expect(age(new Date(Date.now() + 60_000).toISOString())).toBe('0s');
  });
});
