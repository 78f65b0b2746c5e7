import { upgradeSchema } from '@internal/plugin-container-cloud-common';
import { parseInput as parseBody } from '@internal/plugin-container-cloud-node';

const target = {
  cluster: 'c1',
  namespace: 'payments',
  deployment: 'api',
  resourceVersion: '7',
  container: 'app',
};

describe('image references', () => {
  it.each([
    'nginx',
    'nginx:1.27',
    'library/nginx:1.27-alpine',
    'registry.example.com/team/app:1.2.3',
    'registry.example.com:5000/team/app',
    'localhost:5000/app:dev',
    `app@sha256:${'a'.repeat(64)}`,
  ])('accepts %s', image => {
    expect(parseBody(upgradeSchema, { ...target, image }).image).toBe(image);
  });

  it.each([
    'UPPER/case:1',
    'nginx:1; rm -rf /',
    'nginx:',
    'nginx:-bad',
    'nginx\n:1',
    '',
    `app:${'x'.repeat(129)}`,
    'app@sha256:short',
    `${'a-b.'.repeat(2000)}!`, // would hang a backtracking-prone pattern
  ])('refuses %j', image => {
    expect(() => parseBody(upgradeSchema, { ...target, image })).toThrow(
      /image/,
    );
  });
});
