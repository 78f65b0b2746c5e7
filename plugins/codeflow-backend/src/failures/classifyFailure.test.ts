import fs from 'node:fs';
import path from 'node:path';
import { classifyFailure } from './classifyFailure';

// What the tools printed. Every fixture but the hand-written samples is a real output, made by
// __fixtures__/generate.sh running the tool on this machine (node --test, Jest, tsc, npm, git,
// javac, go build/test, python, pytest, bash, buildah push and bud). Maven and Gradle are not run here (no
// ~/.m2, no gradle), nor old npm, BuildKit or a registry answering 403: their fixtures are samples
// in the format their documentation shows (maven-*, gradle-*, sample-*).
const fixture = (name: string) =>
  fs
    .readFileSync(path.join(__dirname, '__fixtures__', `${name}.txt`), 'utf8')
    .split('\n');

/** the last lines, as the run engine keeps them (at most 30) */
const last30 = (lines: string[]) => lines.slice(-30);

describe('classifyFailure', () => {
  it.each([
    // compile errors
    [
      'build',
      'tsc-errors',
      'compile-error',
      'the compiler found 2 errors (tsc)',
    ],
    [
      'build',
      'npm-tsc-fail',
      'compile-error',
      'the compiler found 2 errors (tsc)',
    ],
    [
      'build',
      'javac-error',
      'compile-error',
      'the compiler found 1 error (javac)',
    ],
    [
      'build',
      'maven-compile-error',
      'compile-error',
      'the compiler found 2 errors (Maven)',
    ],
    [
      'build',
      'gradle-compile-error',
      'compile-error',
      'the compiler found 1 error (Gradle)',
    ],
    [
      'build',
      'go-build-error',
      'compile-error',
      'the compiler found 1 error (go)',
    ],
    [
      'build',
      'python-syntax-error',
      'compile-error',
      "Python found a syntax error in app.py line 1 (SyntaxError: expected ':')",
    ],
    // test failures
    ['build', 'node-test-fail', 'test-failure', '1 test failed (node --test)'],
    ['build', 'jest-fail', 'test-failure', '2 tests failed (Jest)'],
    [
      'build',
      'maven-surefire-fail',
      'test-failure',
      '2 tests failed (Maven Surefire)',
    ],
    ['build', 'gradle-test-fail', 'test-failure', '2 tests failed (Gradle)'],
    ['build', 'pytest-fail', 'test-failure', '2 tests failed (pytest)'],
    ['build', 'go-test-fail', 'test-failure', '1 test failed (go test)'],
    // npm scripts, memory
    [
      'build',
      'npm-build-fail',
      'build-failed',
      "the npm script build failed (npm run build): Error: Cannot find module './missing-module'",
    ],
    [
      'build',
      'sample-npm6-lifecycle',
      'build-failed',
      'the npm script build failed (npm run build): sh: 1: webpack: not found',
    ],
    [
      'build',
      'killed',
      'build-failed',
      'the build step was killed, most likely out of memory (SIGKILL, exit 137); give the build more memory',
    ],
    [
      'build',
      'buildah-run-killed',
      'build-failed',
      'the build step was killed, most likely out of memory (SIGKILL, exit 137); give the build more memory',
    ],
    [
      'image',
      'sample-oom-137',
      'build-failed',
      'the image step was killed, most likely out of memory (SIGKILL, exit 137); give the build more memory',
    ],
    // fetch
    [
      'fetch',
      'git-missing-ref',
      'fetch-failed',
      "the repository has no refs/heads/release-9 (couldn't find remote ref)",
    ],
    [
      'fetch',
      'git-auth-failed',
      'fetch-failed',
      'the git host refused the credentials (Authentication failed for http://127.0.0.1:15999/shop.git/)',
    ],
    [
      'fetch',
      'git-no-credentials',
      'fetch-failed',
      "the git host asked for credentials and none were given (http://127.0.0.1:15999): name the repository's credentials in the codeflow",
    ],
    [
      'fetch',
      'git-repository-missing',
      'fetch-failed',
      'the repository was not found (http://127.0.0.1:15999/missing.git/): check its URL, and that the credentials may read it',
    ],
    [
      'fetch',
      'sample-github-repository-not-found',
      'fetch-failed',
      'the repository was not found (https://github.com/example/shop.git/): check its URL, and that the credentials may read it',
    ],
    [
      'fetch',
      'git-dns',
      'fetch-failed',
      'the git host no-such-host.invalid could not be found (DNS: Could not resolve host)',
    ],
    [
      'fetch',
      'git-connection-refused',
      'fetch-failed',
      'the git host 127.0.0.1:9 refused the connection',
    ],
    // push
    [
      'push',
      'buildah-push-401',
      'push-denied',
      'the registry refused the push (401 unauthorized): check the registry credentials',
    ],
    [
      'push',
      'sample-buildkit-push-401',
      'push-denied',
      'the registry refused the push (401 unauthorized): check the registry credentials',
    ],
    [
      'push',
      'sample-registry-denied',
      'push-denied',
      'the registry refused the push (403 denied: requested access to the resource is denied): the credentials may not write to this repository',
    ],
  ])('%s step, %s → %s: %s', (step, name, kind, reason) => {
    expect(classifyFailure(step, last30(fixture(name)))).toEqual({
      kind,
      reason,
    });
  });

  it('says the step and its last words when nothing is recognised', () => {
    expect(
      classifyFailure('build', [
        'make: *** [Makefile:4: all] Error 2',
        '    at somewhere (x.js:1:1)',
        '',
      ]),
    ).toEqual({
      kind: 'other',
      reason: 'the build step failed: make: *** [Makefile:4: all] Error 2',
    });
    expect(classifyFailure('fetch', [])).toEqual({
      kind: 'fetch-failed',
      reason: 'the code could not be fetched',
    });
    expect(classifyFailure('push', ['connection reset by peer'])).toEqual({
      kind: 'other',
      reason: 'the push step failed: connection reset by peer',
    });
  });

  it('does not read a passing summary or a digest as a failure', () => {
    const passing = [
      '# tests 3',
      '# pass 3',
      '# fail 0',
      'Tests:       3 passed, 3 total',
      '[INFO] Tests run: 3, Failures: 0, Errors: 0, Skipped: 0',
      '3 passed in 0.02s',
      'make: *** [all] Error 1',
    ];
    expect(classifyFailure('build', passing).kind).toBe('other');
    // a digest holding 401 or 403 is no refusal
    expect(
      classifyFailure('push', [
        'Writing manifest sha256:0a401b403c0000000000000000000000000000000000000000000000000000f1',
        'error: connection reset',
      ]).kind,
    ).toBe('other');
  });

  it('reads the failures in lines that hold several lines', () => {
    expect(
      classifyFailure('build', [fixture('jest-fail').join('\n')]).reason,
    ).toBe('2 tests failed (Jest)');
  });
});
