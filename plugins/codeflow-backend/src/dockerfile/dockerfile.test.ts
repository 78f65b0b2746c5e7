import { codeflowDefinitionSchema } from '@internal/plugin-container-cloud-common';
import {
  BUILD_ARGS,
  canonicalJson,
  DockerfileValueError,
  generateDockerfile,
  LABELS,
  MAX_LINE_BYTES,
  preprocessingDockerfile,
  preprocessingImageKey,
  renderDockerfile,
} from '.';
import {
  EXAMPLE_DOCKERFILE_INPUT as base,
  HOSTILE_DOCKERFILE_VALUES as HOSTILE,
} from './__testUtils__/fixtures';

/** what may not appear in a Dockerfile but the \n that ends each line */
// eslint-disable-next-line no-control-regex
const LINE_BREAKING = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex
const BREAKS_A_QUOTED_WORD = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * A small reader of Dockerfile lines, as Docker's parser splits them: one instruction per line
 * (a line ending in `\` would continue on the next: none may), the keyword, then either an
 * exec-form JSON array, or `key="value"` pairs with Docker's double-quote escapes. It refuses
 * anything else, so a value that escaped its string fails the test.
 */
interface ParsedLine {
  keyword: string;
  flags: string[];
  json?: string[];
  pairs?: Array<[string, string]>;
  word?: string;
}

function readQuoted(text: string, at: number): [string, number] {
  if (text[at] !== '"') throw new Error(`expected " at ${at} in ${text}`);
  let value = '';
  let i = at + 1;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      const next = text[i + 1];
      if (!['\\', '"', '$'].includes(next)) {
        throw new Error(`unexpected escape \\${next} in ${text}`);
      }
      value += next;
      i++;
    } else if (ch === '"') {
      return [value, i + 1];
    } else if (ch === '$') {
      // an unescaped $ is a variable Docker expands: only our own ${ARG} references may be one
      const ref = /^\$\{([A-Z_]+)\}/.exec(text.slice(i));
      if (!ref || !Object.values(BUILD_ARGS).includes(ref[1] as any)) {
        throw new Error(`unescaped $ in ${text}`);
      }
      value += ref[0];
      i += ref[0].length - 1;
    } else {
      value += ch;
    }
  }
  throw new Error(`unterminated string in ${text}`);
}

function readPairs(rest: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let i = 0;
  while (i < rest.length) {
    let key: string;
    if (rest[i] === '"') {
      [key, i] = readQuoted(rest, i);
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest.slice(i));
      if (!m) throw new Error(`expected a key at ${i} in ${rest}`);
      key = m[0];
      i += key.length;
    }
    if (rest[i] !== '=') throw new Error(`expected = at ${i} in ${rest}`);
    const [value, end] = readQuoted(rest, i + 1);
    pairs.push([key, value]);
    i = end;
    if (i < rest.length) {
      if (rest[i] !== ' ')
        throw new Error(`expected a space at ${i} in ${rest}`);
      i++;
    }
  }
  return pairs;
}

function parseDockerfile(text: string): ParsedLine[] {
  expect(text.endsWith('\n')).toBe(true);
  // nothing but \n may end a line: no other control character or line separator appears at all
  expect(text).not.toMatch(LINE_BREAKING);
  const lines = text.slice(0, -1).split('\n');
  const parsed: ParsedLine[] = [];
  for (const line of lines) {
    expect(line.endsWith('\\')).toBe(false); // no line continuation
    if (line.startsWith('# ')) continue;
    const m = /^([A-Z]+) (.*)$/.exec(line);
    if (!m) throw new Error(`not an instruction line: ${line}`);
    const [, keyword, restWithFlags] = m;
    let rest = restWithFlags;
    const flags: string[] = [];
    while (rest.startsWith('--')) {
      const f = /^--([a-z]+=[0-9:]+) /.exec(rest);
      if (!f) throw new Error(`bad flag in ${line}`);
      flags.push(f[1]);
      rest = rest.slice(f[0].length);
    }
    if (['RUN', 'COPY', 'ENTRYPOINT', 'CMD'].includes(keyword)) {
      // exec form: a JSON array of strings and nothing else (else Docker would read a shell line)
      const json = JSON.parse(rest);
      expect(Array.isArray(json)).toBe(true);
      for (const s of json) expect(typeof s).toBe('string');
      expect(rest).not.toMatch(/<<|[`$'&>]/); // no heredoc marker or shell character raw
      parsed.push({ keyword, flags, json });
    } else if (['ENV', 'LABEL'].includes(keyword)) {
      parsed.push({ keyword, flags, pairs: readPairs(rest) });
    } else if (keyword === 'WORKDIR') {
      const [word, end] = readQuoted(rest, 0);
      expect(end).toBe(rest.length);
      parsed.push({ keyword, flags, word });
    } else {
      expect(rest).toMatch(/^[A-Za-z0-9_.:/@-]+$/);
      parsed.push({ keyword, flags, word: rest });
    }
  }
  return parsed;
}

const SHAPE = [
  'FROM',
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

describe('the generated Dockerfile', () => {
  it('has its shape: non-root numeric user, only the artifact copied, exec form, OCI labels', () => {
    const text = generateDockerfile(base);
    expect(text).toBe(
      [
        "# generated by Container Cloud codeflows from the codeflow's fields; do not edit",
        'FROM node:22-slim',
        'ARG CODEFLOW_REVISION',
        'ARG CODEFLOW_CREATED',
        'ARG CODEFLOW_BUILD_ID',
        'LABEL "org.opencontainers.image.source"="https://git.example.com/payments/api.git" "org.opencontainers.image.revision"="${CODEFLOW_REVISION}" "org.opencontainers.image.created"="${CODEFLOW_CREATED}" "io.container-cloud.codeflow.build-id"="${CODEFLOW_BUILD_ID}" "io.container-cloud.codeflow.id"="cf-0123456789abcdef01234567"',
        'ENV NODE_ENV="production"',
        'USER 10001:10001',
        'WORKDIR "/app"',
        'COPY --chown=10001:10001 ["dist", "/app/"]',
        'EXPOSE 8080',
        'ENTRYPOINT ["node", "dist/server.js"]',
        'CMD []',
        '',
      ].join('\n'),
    );
    const parsed = parseDockerfile(text);
    expect(parsed.map(p => p.keyword)).toEqual(SHAPE);
    expect(parsed.find(p => p.keyword === 'USER')!.word).not.toMatch(/^0[:]/);
    expect(
      Object.fromEntries(parsed.find(p => p.keyword === 'LABEL')!.pairs!),
    ).toEqual({
      [LABELS.source]: 'https://git.example.com/payments/api.git',
      [LABELS.revision]: '${CODEFLOW_REVISION}',
      [LABELS.created]: '${CODEFLOW_CREATED}',
      [LABELS.buildId]: '${CODEFLOW_BUILD_ID}',
      [LABELS.codeflow]: 'cf-0123456789abcdef01234567',
    });
  });

  it('leaves out ENV when there are no variables', () => {
    const text = generateDockerfile({
      ...base,
      definition: { ...base.definition, env: [] },
    });
    expect(parseDockerfile(text).map(p => p.keyword)).toEqual(
      SHAPE.filter(k => k !== 'ENV'),
    );
  });

  describe.each(HOSTILE.map(v => [JSON.stringify(v).slice(0, 40), v]))(
    'with the hostile value %s',
    (_name, hostile) => {
      it('keeps it inside the start command’s JSON strings, and the Dockerfile keeps its shape', () => {
        const argv = ['sh', '-c', hostile, hostile];
        const parsed = parseDockerfile(
          generateDockerfile({
            ...base,
            definition: { ...base.definition, startCommand: argv },
          }),
        );
        expect(parsed.map(p => p.keyword)).toEqual(SHAPE);
        expect(parsed.find(p => p.keyword === 'ENTRYPOINT')!.json).toEqual(
          argv,
        );
      });

      it('refuses it as a path (artifact, deploy path) or image, writing nothing', () => {
        for (const change of [
          { artifactPath: hostile },
          { artifactPath: `dist/${hostile}` },
          { deployPath: `/app/${hostile}` },
        ]) {
          expect(() =>
            generateDockerfile({
              ...base,
              definition: { ...base.definition, ...change },
            }),
          ).toThrow(DockerfileValueError);
        }
        expect(() =>
          generateDockerfile({ ...base, baseImage: `node:22${hostile}` }),
        ).toThrow(DockerfileValueError);
      });

      it('keeps it inside the pre-processing RUN’s JSON strings', () => {
        const script = [
          ['pip', 'install', hostile],
          ['sh', '-c', hostile],
        ];
        const parsed = parseDockerfile(
          preprocessingDockerfile('python:3.12-slim', script),
        );
        expect(parsed.map(p => p.keyword)).toEqual([
          'FROM',
          'USER',
          'RUN',
          'RUN',
        ]);
        expect(
          parsed.filter(p => p.keyword === 'RUN').map(p => p.json),
        ).toEqual(script);
      });
    },
  );

  const quotable = HOSTILE.filter(v => !BREAKS_A_QUOTED_WORD.test(v));
  const unquotable = HOSTILE.filter(v => BREAKS_A_QUOTED_WORD.test(v));
  const withEnv = (value: string) =>
    generateDockerfile({
      ...base,
      definition: {
        ...base.definition,
        env: [
          { name: 'A', value },
          { name: 'B', value: 'b' },
        ],
      },
    });
  const withSource = (repositoryUrl: string) =>
    generateDockerfile({
      ...base,
      definition: { ...base.definition, repositoryUrl },
    });

  it('has hostile values of both kinds', () => {
    expect(quotable.length).toBeGreaterThan(10);
    expect(unquotable.length).toBeGreaterThan(5);
  });

  describe.each(quotable.map(v => [JSON.stringify(v).slice(0, 40), v]))(
    'with the one-line hostile value %s',
    (_name, hostile) => {
      it('keeps it inside one ENV value and inside the source label', () => {
        const env = parseDockerfile(withEnv(hostile));
        expect(env.map(p => p.keyword)).toEqual(SHAPE);
        expect(env.find(p => p.keyword === 'ENV')!.pairs).toEqual([
          ['A', hostile],
          ['B', 'b'],
        ]);
        const label = parseDockerfile(withSource(hostile));
        expect(label.map(p => p.keyword)).toEqual(SHAPE);
        expect(label.find(p => p.keyword === 'LABEL')!.pairs![0]).toEqual([
          LABELS.source,
          hostile,
        ]);
      });
    },
  );

  describe.each(unquotable.map(v => [JSON.stringify(v).slice(0, 40), v]))(
    'with the line-breaking hostile value %s',
    (_name, hostile) => {
      it('refuses it in an ENV value or a label, which no Dockerfile line can carry', () => {
        expect(() => withEnv(hostile)).toThrow(
          /^the value of A "[^\n]*" holds a line break or control character/,
        );
        expect(() => withSource(hostile)).toThrow(DockerfileValueError);
      });
    },
  );

  it('refuses a value that makes a line longer than Docker reads (64 KiB), naming the line', () => {
    expect(() =>
      generateDockerfile({
        ...base,
        definition: {
          ...base.definition,
          startCommand: ['node', 'x'.repeat(100_000)],
        },
      }),
    ).toThrow(
      /^the ENTRYPOINT line would be 100\d{3} bytes, more than the 60000 a Dockerfile line may have/,
    );
    // non-ASCII is counted in bytes, as \u escapes in JSON (6 bytes each)
    expect(() =>
      generateDockerfile({
        ...base,
        definition: {
          ...base.definition,
          startCommand: ['node', 'ü'.repeat(10_001)],
        },
      }),
    ).toThrow(/ENTRYPOINT line would be 600\d\d bytes/);
    expect(() =>
      generateDockerfile({
        ...base,
        definition: {
          ...base.definition,
          env: [{ name: 'A', value: '😀'.repeat(15_000) }],
        },
      }),
    ).toThrow(/the ENV line would be 600\d\d bytes/);
    expect(MAX_LINE_BYTES).toBeLessThan(64 * 1024);
  });

  it('refuses paths that leave their folder, and a NUL in a command', () => {
    for (const artifactPath of [
      '../secret',
      'a/../../b',
      '/etc/passwd',
      '-rf',
      'a//b',
    ]) {
      expect(() =>
        generateDockerfile({
          ...base,
          definition: { ...base.definition, artifactPath },
        }),
      ).toThrow(DockerfileValueError);
    }
    for (const deployPath of [
      'app',
      '/app/../etc',
      '/app/./x',
      '/a//b',
      '/a b',
    ]) {
      expect(() =>
        generateDockerfile({
          ...base,
          definition: { ...base.definition, deployPath },
        }),
      ).toThrow(DockerfileValueError);
    }
    expect(() =>
      generateDockerfile({
        ...base,
        definition: { ...base.definition, startCommand: ['node', 'a\u0000b'] },
      }),
    ).toThrow(/NUL/);
    expect(() =>
      renderDockerfile([{ kind: 'USER', user: { uid: 0, gid: 0 } }]),
    ).toThrow(/starts FROM/);
  });

  it('is refused by the contract before the builder sees most hostile values (naming the field)', () => {
    const definition = {
      name: 'build',
      repositoryUrl: 'https://git.example.com/a/b.git',
      credentials: null,
      ref: { kind: 'branch', pattern: 'main' },
      buildImage: 'node-22',
      buildScript: [['npm', 'ci']],
      artifactPath: 'dist',
      deployPath: '/app',
      startCommand: ['node', 'server.js'],
      port: 8080,
      env: [],
      targets: [],
      triggers: { manual: true, webhook: { enabled: false, rules: [] } },
    };
    expect(codeflowDefinitionSchema.safeParse(definition).success).toBe(true);
    for (const hostile of HOSTILE.slice(0, 14)) {
      const artifact = codeflowDefinitionSchema.safeParse({
        ...definition,
        artifactPath: `dist/${hostile}`,
      });
      expect(artifact.success).toBe(false);
      expect(artifact.error!.issues[0].message).toMatch(/^artifactPath/);
      const deploy = codeflowDefinitionSchema.safeParse({
        ...definition,
        deployPath: `/app/${hostile}`,
      });
      expect(deploy.success).toBe(false);
      expect(deploy.error!.issues[0].message).toMatch(/^deployPath/);
    }
  });
});

describe('the pre-processing image key', () => {
  const script = [
    ['pip', 'install', 'flask==3.0.0'],
    ['apt-get', 'clean'],
  ];
  const key = preprocessingImageKey('python:3.12-slim', script);

  it('is a sha256, the same for an unchanged base and script', () => {
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(
      preprocessingImageKey(
        'python:3.12-slim',
        JSON.parse(JSON.stringify(script)),
      ),
    ).toBe(key);
  });

  it.each([
    ['another base tag', 'python:3.13-slim', script],
    [
      'another argument',
      'python:3.12-slim',
      [
        ['pip', 'install', 'flask==3.0.1'],
        ['apt-get', 'clean'],
      ],
    ],
    ['commands in another order', 'python:3.12-slim', [script[1], script[0]]],
    ['one command more', 'python:3.12-slim', [...script, ['true']]],
    [
      'arguments joined differently',
      'python:3.12-slim',
      [
        ['pip', 'install flask==3.0.0'],
        ['apt-get', 'clean'],
      ],
    ],
    ['no script', 'python:3.12-slim', []],
  ])('changes with %s', (_what, baseImage, changed) => {
    expect(preprocessingImageKey(baseImage, changed as string[][])).not.toBe(
      key,
    );
  });

  it('reads objects in canonical form: key order does not matter', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(
      canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 'x' })).toBe('{"a":"x","b":1}');
  });
});
