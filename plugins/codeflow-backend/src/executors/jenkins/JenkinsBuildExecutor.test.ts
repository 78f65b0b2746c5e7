import fs from 'node:fs';
import path from 'node:path';
import { examplePlan, recordingSink } from '../__testUtils__/buildPlan';
import { BuildCancelledError } from '../followBuild';
import { BuildStepError } from '../types';
import { FakeJenkins } from './__testUtils__/fakeJenkins';
import { JenkinsBuildExecutor } from './JenkinsBuildExecutor';
import { JenkinsClient } from './JenkinsClient';
import { JenkinsExecutor } from './JenkinsExecutor';

const SHA = 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7';
const DIGEST = `sha256:${'4f'.repeat(32)}`;
const JOB = 'codeflow-cf-0123456789abcdef01234567';

/**
 * A declarative pipeline's console text as Jenkins writes it: its preamble, then per stage
 * `[Pipeline] stage` / `[Pipeline] { (<name>)`, the `sh` step echoed (`+ sh -euc …`) and its
 * output; a stage after a failure is entered and skipped. (The fake serves this text; it does
 * not run the pipeline.)
 */
function consoleText(
  stages: Array<{ name: string; output?: string; skipped?: boolean }>,
  failed = false,
): string {
  let text =
    '[Pipeline] Start of Pipeline\n[Pipeline] node\nRunning on agent-1 in /var/lib/jenkins/workspace/codeflow-cf\n[Pipeline] {\n';
  for (const stage of stages) {
    text += `[Pipeline] stage\n[Pipeline] { (${stage.name})\n`;
    text += stage.skipped
      ? `Stage "${stage.name}" skipped due to earlier failure(s)\n[Pipeline] getContext\n`
      : `[Pipeline] sh\n+ sh -euc 'work="$WORKSPACE/.codeflow/run"\n…'\n${
          stage.output ?? ''
        }`;
    text += '[Pipeline] }\n[Pipeline] // stage\n';
  }
  text += '[Pipeline] }\n[Pipeline] // node\n[Pipeline] End of Pipeline\n';
  if (failed) text += 'ERROR: script returned exit code 1\n';
  return text;
}

/** The text in chunks of `size` characters: chunk edges fall inside lines and markers. */
const chunked = (text: string, size: number) =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
    text.slice(i * size, (i + 1) * size),
  );

describe('the Jenkins build adapter against a server speaking Jenkins’ wire format', () => {
  let jenkins: FakeJenkins;

  const adapter = () =>
    new JenkinsBuildExecutor(
      new JenkinsExecutor({
        client: new JenkinsClient({
          baseUrl: jenkins.url,
          username: jenkins.username,
          apiToken: jenkins.apiToken,
        }),
        sleep: async () => {},
      }),
      { sleep: async () => {} },
    );

  beforeEach(async () => {
    jenkins = new FakeJenkins();
    await jenkins.start();
  });
  afterEach(() => jenkins.stop());

  it('runs the build steps as pipeline stages, splits the console into them and returns the image', async () => {
    jenkins.script(JOB, {
      queuePolls: 1,
      chunks: chunked(
        consoleText([
          {
            name: 'fetch',
            output: `CODEFLOW_COMMIT=${SHA}\nCODEFLOW_AUTHOR=Ada <ada@example.com>\nCODEFLOW_SUBJECT=shop: totals\n`,
          },
          { name: 'preprocess', output: 'CODEFLOW_PREPROCESS=reused\n' },
          {
            name: 'build',
            output: 'added 120 packages in 3s\n> shop@1.0.0 build\n',
          },
          {
            name: 'image',
            output:
              'STEP 1/3: FROM 127.0.0.1:5000/codeflow/preprocessed:ab12\n',
          },
          {
            name: 'push',
            output: `Writing manifest to image destination\nCODEFLOW_DIGEST=${DIGEST}\n`,
          },
        ]),
        37,
      ),
      result: 'SUCCESS',
    });
    const plan = examplePlan({
      preprocessing: {
        key: 'ab12',
        dockerfile:
          'FROM node:22-slim\nRUN ["apt-get", "install", "-y", "libvips"]\n',
        image: '127.0.0.1:5000/codeflow/preprocessed:ab12',
      },
    });
    const { sink, events, logs } = recordingSink();

    const result = await adapter().build(plan, sink);

    expect(result).toEqual({
      commit: {
        sha: SHA,
        author: 'Ada <ada@example.com>',
        message: 'shop: totals',
      },
      images: [
        '127.0.0.1:5000/codeflow/shop:da15608-3',
        '127.0.0.1:5000/codeflow/shop:main',
      ],
      digest: DIGEST,
      preprocessingReused: true,
    });
    expect(events).toEqual([
      ['started', 'fetch'],
      ['commit', SHA],
      ['finished', 'fetch', 'succeeded', 'fetched da15608'],
      ['started', 'preprocess'],
      [
        'finished',
        'preprocess',
        'succeeded',
        'reused pre-processing image 127.0.0.1:5000/codeflow/preprocessed:ab12',
      ],
      ['started', 'build'],
      ['finished', 'build', 'succeeded', undefined],
      ['started', 'image'],
      ['finished', 'image', 'succeeded', undefined],
      ['started', 'push'],
      [
        'finished',
        'push',
        'succeeded',
        `pushed 127.0.0.1:5000/codeflow/shop:da15608-3@${DIGEST}`,
      ],
    ]);
    // each step's log holds its own lines (Jenkins' preamble goes with the first)
    expect(logs.fetch).toContain('Running on agent-1');
    expect(logs.fetch).toContain(`CODEFLOW_COMMIT=${SHA}`);
    expect(logs.build).toContain('added 120 packages in 3s');
    expect(logs.build).not.toContain('CODEFLOW');
    expect(logs.image).toContain('STEP 1/3');
    expect(logs.push).toContain(`CODEFLOW_DIGEST=${DIGEST}`);
    expect(logs.push).toContain('Finished: SUCCESS');
    for (const text of Object.values(logs)) {
      expect(text).not.toMatch(/^\[Pipeline\] \{ \(/m); // the markers are structure, not log
    }

    // the job: one stage per step, each our script; the plan's values are parameters only
    const job = jenkins.jobs.get(JOB)!;
    const stages = [...job.config.matchAll(/stage\(&apos;(\w+)&apos;\)/g)].map(
      m => m[1],
    );
    expect(stages).toEqual(['fetch', 'preprocess', 'build', 'image', 'push']);
    expect(job.config).not.toContain('127.0.0.1:9/shop.git');
    const parameters = job.builds[0].parameters;
    expect(parameters).toMatchObject({
      CODEFLOW_RUN_ID: plan.runId,
      GIT_URL: 'http://127.0.0.1:9/shop.git',
      GIT_REF: 'refs/heads/main',
      COMMIT_SHA: '',
      BUILD_NUMBER: '3',
      IMAGE_REPOSITORY: '127.0.0.1:5000/codeflow/shop',
      BRANCH_TAG: 'main',
      PREPROCESS_IMAGE: '127.0.0.1:5000/codeflow/preprocessed:ab12',
    });
    expect(
      Buffer.from(parameters.BUILD_DOCKERFILE, 'base64').toString(),
    ).toContain('RUN ["npm", "run", "build"]');
    expect(Buffer.from(parameters.IMAGE_DOCKERFILE, 'base64').toString()).toBe(
      plan.dockerfile,
    );
  });

  it('reports the step a failed build failed in, with the reason from its lines, not the skipped stages after it', async () => {
    const jest = fs.readFileSync(
      path.join(__dirname, '../../failures/__fixtures__/jest-fail.txt'),
      'utf8',
    );
    jenkins.script(JOB, {
      chunks: chunked(
        consoleText(
          [
            { name: 'fetch', output: `CODEFLOW_COMMIT=${SHA}\n` },
            { name: 'build', output: jest },
            { name: 'image', skipped: true },
            { name: 'push', skipped: true },
          ],
          true,
        ),
        100,
      ),
      result: 'FAILURE',
    });
    const { sink, events, logs } = recordingSink();

    const error = await adapter()
      .build(examplePlan(), sink)
      .catch(e => e);

    expect(error).toBeInstanceOf(BuildStepError);
    expect(error).toMatchObject({
      step: 'build',
      kind: 'test-failure',
      message: '2 tests failed (Jest)',
    });
    expect(events).toEqual([
      ['started', 'fetch'],
      ['commit', SHA],
      ['finished', 'fetch', 'succeeded', 'fetched da15608'],
      [
        'finished',
        'preprocess',
        'skipped',
        'the codeflow has no pre-processing script',
      ],
      ['started', 'build'],
    ]);
    expect(logs.build).toContain('Tests:       2 failed, 1 passed, 3 total');
    expect(logs.build).toContain('ERROR: script returned exit code 1');
    expect(logs.image).toBeUndefined();
  });

  it('stops the Jenkins build when the run is cancelled', async () => {
    jenkins.script(JOB, {
      chunks: [
        consoleText([
          { name: 'fetch', output: `CODEFLOW_COMMIT=${SHA}\n` },
        ]).replace(/\[Pipeline\] End[^]*$/, ''),
        '[Pipeline] stage\n[Pipeline] { (build)\n',
        'npm ci\n',
      ],
      result: 'SUCCESS',
      hang: true,
    });
    const { sink, events } = recordingSink(
      event => event[0] === 'started' && event[1] === 'build',
    );

    const error = await adapter()
      .build(examplePlan(), sink)
      .catch(e => e);

    expect(error).toBeInstanceOf(BuildCancelledError);
    expect(error.message).toBe(
      `the run was cancelled in the build step: Jenkins (${JOB} #1) was asked to stop it`,
    );
    expect(jenkins.requests).toContain(`POST /job/${JOB}/1/stop`);
    expect(jenkins.jobs.get(JOB)!.builds[0].result).toBe('ABORTED');
    expect(events[events.length - 1]).toEqual(['started', 'build']);
  });

  it('says which step never reported what it should: a push without its digest', async () => {
    jenkins.script(JOB, {
      chunks: [
        consoleText([
          { name: 'fetch', output: `CODEFLOW_COMMIT=${SHA}\n` },
          { name: 'build' },
          { name: 'image' },
          // a digest printed by the build script in another step is not the push's
          { name: 'push', output: 'pushed\n' },
        ]).replace(
          '[Pipeline] { (image)\n',
          `[Pipeline] { (image)\nCODEFLOW_DIGEST=${DIGEST}\n`,
        ),
      ],
      result: 'SUCCESS',
    });
    const { sink } = recordingSink();
    await expect(adapter().build(examplePlan(), sink)).rejects.toMatchObject({
      name: 'BuildStepError',
      step: 'push',
      message:
        'the push step ended without the image’s digest (no CODEFLOW_DIGEST=sha256:… line in its log)',
    });
  });
});
