import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { examplePlan } from './__testUtils__/buildPlan';
import {
  buildParameters,
  buildStages,
  buildStepDockerfile,
  buildStepsOf,
} from './buildStages';

describe('the build stages of remote executors', () => {
  it('names one stage per build step, pre-processing only when the codeflow has it', () => {
    expect(buildStages(examplePlan(), 'buildkit').map(s => s.name)).toEqual([
      'fetch',
      'build',
      'image',
      'push',
    ]);
    const plan = examplePlan({
      preprocessing: { key: 'k', dockerfile: 'FROM x\n', image: 'r/pre:k' },
    });
    expect(buildStepsOf(plan)).toEqual([
      'fetch',
      'preprocess',
      'build',
      'image',
      'push',
    ]);
  });

  it.each(['buildkit', 'buildah'] as const)(
    'writes %s scripts that sh accepts, with no value of the plan in them',
    flavour => {
      const plan = examplePlan({
        repository: { url: "http://x/'; rm -rf / #.git", credentials: null },
        preprocessing: { key: 'k', dockerfile: 'FROM x\n', image: 'r/pre:k' },
      });
      for (const stage of buildStages(plan, flavour)) {
        expect(stage.commands).toHaveLength(1);
        const [sh, flags, script] = stage.commands[0];
        expect([sh, flags]).toEqual(['sh', '-euc']);
        execFileSync('sh', ['-n', '-c', script]); // throws on a syntax error
        expect(script).not.toContain('rm -rf /');
        expect(script).not.toContain('shop');
      }
    },
  );

  it('passes the plan as parameters, the Dockerfiles base64-encoded, the build script as exec-form RUN lines', () => {
    const plan = examplePlan({
      buildScript: [['sh', '-c', 'echo "$HOME" && make']],
    });
    const parameters = buildParameters(plan, { registryInsecure: true });
    expect(parameters).toMatchObject({
      GIT_REF: 'refs/heads/main',
      REGISTRY_INSECURE: 'true',
      BRANCH_TAG: 'main',
    });
    expect(Buffer.from(parameters.BUILD_DOCKERFILE, 'base64').toString()).toBe(
      buildStepDockerfile(plan),
    );
    expect(buildStepDockerfile(plan)).toContain(
      // JSON, with $ and & escaped so no builder reads them
      'RUN ["sh", "-c", "echo \\"\\u0024HOME\\" \\u0026\\u0026 make"]',
    );
    expect(buildStepDockerfile(plan)).toMatch(/USER 10001:10001/);
    // the revision is the commit fetched, set by the stage itself
    expect(Buffer.from(parameters.BUILD_ARGS, 'base64').toString()).toBe(
      'CODEFLOW_CREATED=2026-12-07T06:00:00Z\nCODEFLOW_BUILD_ID=run-0123456789abcdef01234567\n',
    );
    expect(
      buildParameters(examplePlan({ ref: { kind: 'tag', name: 'v1.2.0' } }))
        .GIT_REF,
    ).toBe('refs/tags/v1.2.0');
  });

  it('refuses values no stage can carry safely', () => {
    expect(() =>
      buildParameters(
        examplePlan({
          image: { repository: 'r/shop; echo', branchTag: null },
        }),
      ),
    ).toThrow('r/shop; echo is no image reference');
    expect(() =>
      buildParameters(examplePlan({ buildArgs: { CODEFLOW_CREATED: 'a\nb' } })),
    ).toThrow('the build argument CODEFLOW_CREATED cannot be passed');
  });

  it('fetches for real: the fetch script (Jenkins flavour) against a git repository on this machine', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-fetch-'));
    try {
      const git = (...args: string[]) =>
        execFileSync('git', args, {
          cwd: dir,
          encoding: 'utf8',
          env: {
            ...process.env,
            GIT_AUTHOR_NAME: 'Ada',
            GIT_AUTHOR_EMAIL: 'ada@example.com',
            GIT_COMMITTER_NAME: 'Ada',
            GIT_COMMITTER_EMAIL: 'ada@example.com',
          },
        });
      git('init', '-q', '-b', 'main', 'origin');
      fs.writeFileSync(
        path.join(dir, 'origin', 'index.js'),
        'console.log(1)\n',
      );
      git('-C', 'origin', 'add', '.');
      git('-C', 'origin', 'commit', '-q', '-m', 'shop: first');
      const first = git('-C', 'origin', 'rev-parse', 'HEAD').trim();
      fs.writeFileSync(
        path.join(dir, 'origin', 'index.js'),
        'console.log(2)\n',
      );
      git('-C', 'origin', 'commit', '-q', '-am', 'shop: second');

      const plan = examplePlan({
        repository: { url: `file://${dir}/origin`, credentials: null },
      });
      const fetch = (commit: string | null) => {
        const [stage] = buildStages({ ...plan, commit }, 'buildah');
        return execFileSync('sh', stage.commands[0].slice(1), {
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH,
            HOME: dir,
            WORKSPACE: path.join(dir, 'ws'),
            ...buildParameters({ ...plan, commit }),
          },
        });
      };
      const head = fetch(null);
      expect(head).toMatch(
        /^CODEFLOW_COMMIT=[0-9a-f]{40}\nCODEFLOW_AUTHOR=Ada <ada@example.com>\nCODEFLOW_SUBJECT=shop: second\n$/,
      );
      const src = path.join(dir, 'ws', '.codeflow', 'run', 'src', 'index.js');
      expect(fs.readFileSync(src, 'utf8')).toBe('console.log(2)\n');
      // a commit of the branch, from the cache kept between runs
      expect(fetch(first)).toContain(`CODEFLOW_COMMIT=${first}\n`);
      expect(fs.readFileSync(src, 'utf8')).toBe('console.log(1)\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
