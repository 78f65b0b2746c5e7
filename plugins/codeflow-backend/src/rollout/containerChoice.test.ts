import { chooseContainer, digestOf, repositoryOf } from './containerChoice';

const NEW = '127.0.0.1:5000/codeflow/payments-api:abc1234-7';

describe('repositoryOf', () => {
  it.each([
    ['nginx', 'nginx'],
    ['nginx:1.27', 'nginx'],
    ['127.0.0.1:5000/codeflow/app:abc-1', '127.0.0.1:5000/codeflow/app'],
    ['127.0.0.1:5000/codeflow/app', '127.0.0.1:5000/codeflow/app'],
    [
      `registry.example.com/a/b:1@sha256:${'a'.repeat(64)}`,
      'registry.example.com/a/b',
    ],
    [
      `registry.example.com/a/b@sha256:${'a'.repeat(64)}`,
      'registry.example.com/a/b',
    ],
  ])('%s is of %s', (image, repository) => {
    expect(repositoryOf(image)).toBe(repository);
  });

  it('reads the digest a reference pins', () => {
    expect(digestOf(`a/b@sha256:${'c'.repeat(64)}`)).toBe(
      `sha256:${'c'.repeat(64)}`,
    );
    expect(digestOf('a/b:1')).toBeUndefined();
  });
});

describe('chooseContainer', () => {
  it('takes the container whose image is of the same repository, whatever its tag', () => {
    expect(
      chooseContainer(
        [
          { name: 'proxy', image: 'envoyproxy/envoy:v1.30' },
          {
            name: 'app',
            image: '127.0.0.1:5000/codeflow/payments-api:0ld0000-6',
          },
        ],
        NEW,
      ),
    ).toEqual({
      container: 'app',
      from: '127.0.0.1:5000/codeflow/payments-api:0ld0000-6',
    });
  });

  it('takes the only container when none is of the repository yet (the first roll-out)', () => {
    expect(
      chooseContainer(
        [{ name: 'main', image: 'registry.example.com/payments/api:1.0.0' }],
        NEW,
      ),
    ).toEqual({
      container: 'main',
      from: 'registry.example.com/payments/api:1.0.0',
    });
  });

  it('refuses to guess among several containers, naming them', () => {
    const choice = chooseContainer(
      [
        { name: 'proxy', image: 'envoyproxy/envoy:v1.30' },
        { name: 'app', image: 'registry.example.com/payments/api:1.0.0' },
      ],
      NEW,
    );
    expect(choice).toEqual({
      refusal: expect.stringMatching(
        /none of its containers runs an image of 127\.0\.0\.1:5000\/codeflow\/payments-api.*proxy \(envoyproxy\/envoy:v1\.30\), app \(registry\.example\.com\/payments\/api:1\.0\.0\)/,
      ),
    });
  });

  it('refuses two containers of the same repository', () => {
    const choice = chooseContainer(
      [
        { name: 'web', image: '127.0.0.1:5000/codeflow/payments-api:1' },
        { name: 'worker', image: '127.0.0.1:5000/codeflow/payments-api:1' },
      ],
      NEW,
    );
    expect('refusal' in choice && choice.refusal).toMatch(
      /2 containers run an image of .*web.*worker/,
    );
  });
});
