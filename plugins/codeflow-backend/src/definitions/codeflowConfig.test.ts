import { ConfigReader } from '@backstage/config';
import {
  builtImageRepositoryClash,
  defaultBuildImages,
  readCodeflowConfig,
  repositoryHostRefusal,
} from './codeflowConfig';

const read = (codeflow: object) =>
  readCodeflowConfig(new ConfigReader({ containerCloud: { codeflow } }));

describe('readCodeflowConfig', () => {
  it('offers the default build images from Docker Hub, or from the company registry', () => {
    const plain = read({});
    expect(plain.buildImages).toEqual(defaultBuildImages());
    expect(plain.buildImages.find(b => b.id === 'jdk17-maven')).toEqual({
      id: 'jdk17-maven',
      title: 'JDK 17 with Maven',
      image: 'maven:3.9-eclipse-temurin-17',
      runtimeImage: 'eclipse-temurin:17-jre',
    });
    const mirrored = read({ imageRegistry: 'registry.example.com/mirror/' });
    expect(mirrored.buildImages.find(b => b.id === 'node-22')).toMatchObject({
      image: 'registry.example.com/mirror/node:22',
      runtimeImage: 'registry.example.com/mirror/node:22-slim',
    });
    expect(plain.credentials).toEqual([]);
    expect(plain.preprocessingRepository).toBe(
      'localhost/codeflow-preprocessed',
    );
  });

  it('replaces the defaults with a configured list, and refuses a duplicate or bad id', () => {
    const one = {
      id: 'node-22',
      title: 'Node 22',
      image: 'r/node:22',
      runtimeImage: 'r/node:22-slim',
    };
    expect(read({ buildImages: [one] }).buildImages).toEqual([one]);
    expect(() => read({ buildImages: [one, one] })).toThrow(
      'containerCloud.codeflow.buildImages: id node-22 is not a unique id',
    );
    expect(() => read({ buildImages: [{ ...one, id: 'Node 22' }] })).toThrow(
      /id Node 22 is not a unique id/,
    );
  });

  it('reads credentials by name, refusing a duplicate name', () => {
    const c = read({
      credentials: [
        { name: 'a', password: 'p' },
        { name: 'b', sshPrivateKey: 'k' },
      ],
    });
    expect(c.credentials).toEqual([
      {
        name: 'a',
        description: '',
        password: 'p',
        username: undefined,
        sshPrivateKey: undefined,
      },
      {
        name: 'b',
        description: '',
        sshPrivateKey: 'k',
        username: undefined,
        password: undefined,
      },
    ]);
    expect(() => read({ credentials: [{ name: 'a' }, { name: 'a' }] })).toThrow(
      /name a is not a unique name/,
    );
  });
});

describe('repositoryHostRefusal', () => {
  const hosts = ['gitlab.example.com', '127.0.0.1:16498'];

  it('allows any host when repositoryHosts is not set', () => {
    expect(
      repositoryHostRefusal('https://anywhere.example.org/a.git', undefined),
    ).toBeUndefined();
  });

  it('allows a listed host (any port) or host:port, in every URL form', () => {
    for (const url of [
      'https://gitlab.example.com/payments/api.git',
      'https://GitLab.Example.com:8443/payments/api.git',
      'ssh://git@gitlab.example.com:2222/payments/api.git',
      'git@gitlab.example.com:payments/api.git',
      'http://127.0.0.1:16498/payments-api.git',
    ]) {
      expect(repositoryHostRefusal(url, hosts)).toBeUndefined();
    }
  });

  it('refuses other hosts and other ports, naming the list', () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data.git',
      'http://127.0.0.1:7007/api/catalog.git',
      'https://gitlab.example.com.evil.org/a.git',
      'git@evil.org:gitlab.example.com/a.git',
      'http://127.0.0.1/a.git',
    ]) {
      expect(repositoryHostRefusal(url, hosts)).toMatch(
        /^repositoryUrl: codeflows fetch only from gitlab\.example\.com, 127\.0\.0\.1:16498 .* is not one of them$/,
      );
    }
  });

  it('reads the list from containerCloud.codeflow.repositoryHosts', () => {
    expect(
      readCodeflowConfig(
        new ConfigReader({
          containerCloud: { codeflow: { repositoryHosts: hosts } },
        }),
      ).repositoryHosts,
    ).toEqual(hosts);
  });
});

describe('builtImageRepositoryClash', () => {
  const config = {
    preprocessingRepository: '127.0.0.1:16496/codeflow/preprocessed',
    buildImages: [
      {
        id: 'node-22',
        title: 'Node 22',
        image: '127.0.0.1:16496/codeflow/node:22',
        runtimeImage: '127.0.0.1:16496/codeflow/node:22',
      },
      {
        id: 'java-17',
        title: 'Java 17',
        image: `127.0.0.1:16496/codeflow/java:17@sha256:${'a'.repeat(64)}`,
        runtimeImage: '127.0.0.1:16496/codeflow/java-runtime:17',
      },
    ],
  };

  it('allows a service whose repository holds no build, runtime or pre-processing image', () => {
    expect(
      builtImageRepositoryClash(
        '127.0.0.1:16496/codeflow/payments-api',
        config,
      ),
    ).toBeUndefined();
    // a longer name that starts like a build image is another repository
    expect(
      builtImageRepositoryClash('127.0.0.1:16496/codeflow/node-api', config),
    ).toBeUndefined();
  });

  it('refuses the repository of a build image, a runtime image (tag or digest) and the pre-processing images, in words', () => {
    expect(
      builtImageRepositoryClash('127.0.0.1:16496/codeflow/node', config),
    ).toMatch(/holds the build image node-22 .*overwrite its tags/);
    expect(
      builtImageRepositoryClash('127.0.0.1:16496/codeflow/java', config),
    ).toMatch(/holds the build image java-17/);
    expect(
      builtImageRepositoryClash(
        '127.0.0.1:16496/codeflow/Java-Runtime',
        config,
      ),
    ).toMatch(/holds the build image java-17/);
    expect(
      builtImageRepositoryClash(
        '127.0.0.1:16496/codeflow/preprocessed',
        config,
      ),
    ).toMatch(/holds the pre-processing images/);
  });
});
