import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BUILD_ARGS,
  generateDockerfile,
  LABELS,
  MAX_LINE_BYTES,
  preprocessingDockerfile,
} from '.';
import {
  EXAMPLE_DOCKERFILE_INPUT as base,
  HOSTILE_DOCKERFILE_VALUES as HOSTILE,
} from './__testUtils__/fixtures';

/**
 * The generated Dockerfiles read back by BuildKit's own Dockerfile parser (the Go package
 * github.com/moby/buildkit/frontend/dockerfile, built from ./buildkitParse with the machine's
 * Go): the instructions are the expected ones, and every hostile value comes out of BuildKit's
 * word processing exactly as it went in. This test needs Go and does not skip without it.
 */

jest.setTimeout(600_000);

interface Parsed {
  name: string;
  words?: string[];
  pairs?: Array<[string, string]>;
  chown?: string;
  prependShell: boolean;
}

let dir: string;
let parserBinary: string;

beforeAll(() => {
  try {
    execFileSync('go', ['version'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `this test builds BuildKit's Dockerfile parser with Go, and there is no go on the PATH (${error}): install Go (e.g. /usr/local/go/bin)`,
    );
  }
  dir = mkdtempSync(path.join(tmpdir(), 'codeflow-buildkit-'));
  parserBinary = path.join(dir, 'buildkit-parse');
  execFileSync('go', ['build', '-o', parserBinary, '.'], {
    cwd: path.join(__dirname, 'buildkitParse'),
    env: { ...process.env, GOTOOLCHAIN: 'local' },
    stdio: 'pipe',
    timeout: 540_000,
  });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function buildkitParse(dockerfile: string): Parsed[] {
  return JSON.parse(
    execFileSync(parserBinary, [], {
      input: dockerfile,
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    }).toString(),
  );
}

const SHAPE = [
  'from',
  'ARG',
  'ARG',
  'ARG',
  'LABEL',
  'ENV',
  'USER',
  'WORKDIR',
  'COPY',
  'EXPOSE',
  'ENTRYPOINT',
  'CMD',
];

// eslint-disable-next-line no-control-regex
const BREAKS_A_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

it('reads the example Dockerfile as BuildKit does', () => {
  const parsed = buildkitParse(generateDockerfile(base));
  expect(parsed).toEqual([
    { name: 'from', words: ['node:22-slim'], prependShell: false },
    { name: 'ARG', words: [BUILD_ARGS.revision], prependShell: false },
    { name: 'ARG', words: [BUILD_ARGS.created], prependShell: false },
    { name: 'ARG', words: [BUILD_ARGS.buildId], prependShell: false },
    {
      name: 'LABEL',
      pairs: [
        [LABELS.source, 'https://git.example.com/payments/api.git'],
        [LABELS.revision, `<ARG:${BUILD_ARGS.revision}>`],
        [LABELS.created, `<ARG:${BUILD_ARGS.created}>`],
        [LABELS.buildId, `<ARG:${BUILD_ARGS.buildId}>`],
        [LABELS.codeflow, 'cf-0123456789abcdef01234567'],
      ],
      prependShell: false,
    },
    { name: 'ENV', pairs: [['NODE_ENV', 'production']], prependShell: false },
    { name: 'USER', words: ['10001:10001'], prependShell: false },
    { name: 'WORKDIR', words: ['/app'], prependShell: false },
    {
      name: 'COPY',
      words: ['dist', '/app/'],
      chown: '10001:10001',
      prependShell: false,
    },
    { name: 'EXPOSE', words: ['8080'], prependShell: false },
    {
      name: 'ENTRYPOINT',
      words: ['node', 'dist/server.js'],
      prependShell: false,
    },
    { name: 'CMD', prependShell: false },
  ]);
});

it('reads the longest line the builder writes (MAX_LINE_BYTES), and fails on a line of 64 KiB', () => {
  const filler = 'x'.repeat(MAX_LINE_BYTES - 'ENTRYPOINT ["node", ""]'.length);
  const longest = generateDockerfile({
    ...base,
    definition: { ...base.definition, startCommand: ['node', filler] },
  });
  expect(Math.max(...longest.split('\n').map(l => Buffer.byteLength(l)))).toBe(
    MAX_LINE_BYTES,
  );
  expect(
    buildkitParse(longest).find(p => p.name === 'ENTRYPOINT')!.words,
  ).toEqual(['node', filler]);
  // what the cap is for: BuildKit cannot read a 64 KiB line
  const tooLong = `FROM node:22-slim\nENTRYPOINT ["node", "${'x'.repeat(
    64 * 1024,
  )}"]\n`;
  expect(() => buildkitParse(tooLong)).toThrow();
});

describe.each(HOSTILE.map(v => [JSON.stringify(v).slice(0, 40), v]))(
  'with the hostile value %s',
  (_name, hostile) => {
    it('is one argument of the exec-form ENTRYPOINT and of the pre-processing RUN, as given', () => {
      const argv = ['sh', '-c', hostile, hostile];
      const parsed = buildkitParse(
        generateDockerfile({
          ...base,
          definition: { ...base.definition, startCommand: argv },
        }),
      );
      expect(parsed.map(p => p.name)).toEqual(SHAPE);
      expect(parsed.find(p => p.name === 'ENTRYPOINT')).toEqual({
        name: 'ENTRYPOINT',
        words: argv,
        prependShell: false,
      });
      const pre = buildkitParse(
        preprocessingDockerfile('python:3.12-slim', [
          ['pip', 'install', hostile],
          ['true'],
        ]),
      );
      expect(pre).toEqual([
        { name: 'from', words: ['python:3.12-slim'], prependShell: false },
        { name: 'USER', words: ['0:0'], prependShell: false },
        {
          name: 'RUN',
          words: ['pip', 'install', hostile],
          prependShell: false,
        },
        { name: 'RUN', words: ['true'], prependShell: false },
      ]);
    });
  },
);

describe.each(
  HOSTILE.filter(v => !BREAKS_A_LINE.test(v)).map(v => [
    JSON.stringify(v).slice(0, 40),
    v,
  ]),
)('with the one-line hostile value %s', (_name, hostile) => {
  it('is one ENV value and the source label, as given (no variable expanded)', () => {
    const parsed = buildkitParse(
      generateDockerfile({
        ...base,
        definition: {
          ...base.definition,
          repositoryUrl: hostile,
          env: [
            { name: 'A', value: hostile },
            { name: 'B', value: 'b' },
          ],
        },
      }),
    );
    expect(parsed.map(p => p.name)).toEqual(SHAPE);
    expect(parsed.find(p => p.name === 'ENV')!.pairs).toEqual([
      ['A', hostile],
      ['B', 'b'],
    ]);
    expect(parsed.find(p => p.name === 'LABEL')!.pairs![0]).toEqual([
      LABELS.source,
      hostile,
    ]);
  });
});
