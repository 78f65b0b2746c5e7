import { examplePlan, recordingSink } from './__testUtils__/buildPlan';
import { followBuild, FollowedRun } from './followBuild';
import { stageContainerName } from './kubernetes/jobSpec';
import { BuildStep, BuildStepError, ExecutorResult } from './types';

const SHA = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c';
const DIGEST = `sha256:${'c0'.repeat(32)}`;
const STEPS: BuildStep[] = ['fetch', 'build', 'image', 'push'];

/**
 * A run whose log is the given text in the Kubernetes Job executor's format (each container's
 * log under `== s<index>-<step> ==`), served `size` characters per read, then the result.
 */
function jobRun(
  text: string,
  result: ExecutorResult,
  size: number,
): FollowedRun & { cancelled: boolean } {
  // offsets in bytes, as the executors give them; a read ends on a whole character, as the
  // executors' texts do
  const chars = [...text];
  const byteOffset = (n: number) =>
    Buffer.byteLength(chars.slice(0, n).join(''));
  const markers = STEPS.map((s, i) => `== ${stageContainerName(i, s)} ==`);
  const run = {
    executor: 'the Kubernetes Job builds/cf-x',
    cancelled: false,
    async logs(offset: number) {
      let start = 0;
      while (start < chars.length && byteOffset(start) < offset) start++;
      const end = Math.min(chars.length, start + size);
      return {
        text: chars.slice(start, end).join(''),
        nextOffset: byteOffset(end),
        more: end < chars.length,
      };
    },
    async result() {
      return result;
    },
    async cancel() {
      run.cancelled = true;
    },
    stageMarker(line: string) {
      const i = markers.indexOf(line);
      return i >= 0 ? i : undefined;
    },
  };
  return run;
}

const jobLog = (outputs: Partial<Record<BuildStep, string>>) =>
  STEPS.filter(s => outputs[s] !== undefined)
    .map((s, i) => `== ${stageContainerName(i, s)} ==\n${outputs[s]}`)
    .join('');

const noWait = { sleep: async () => {} };

describe('followBuild over the Kubernetes Job executor’s log', () => {
  it('cuts the log into steps at any read size and returns the pushed image', async () => {
    const text = jobLog({
      fetch: `CODEFLOW_COMMIT=${SHA}\nCODEFLOW_AUTHOR=Grace <grace@example.com>\nCODEFLOW_SUBJECT=cart: ünïcode subject\n`,
      build: 'npm ci\n',
      image: '#5 exporting layers\n',
      push: `#7 pushing layers done\nCODEFLOW_DIGEST=${DIGEST}\n`,
    });
    for (const size of [1, 7, 64, 10_000]) {
      const { sink, events, logs } = recordingSink();
      const result = await followBuild(
        examplePlan({
          image: { repository: 'r.example.com/shop', branchTag: null },
        }),
        STEPS,
        jobRun(text, { state: 'succeeded' }, size),
        sink,
        noWait,
      );
      expect(result).toEqual({
        commit: {
          sha: SHA,
          author: 'Grace <grace@example.com>',
          message: 'cart: ünïcode subject',
        },
        images: ['r.example.com/shop:0f1e2d3-3'],
        digest: DIGEST,
        preprocessingReused: null,
      });
      expect(events.filter(e => e[0] === 'started').map(e => e[1])).toEqual(
        STEPS,
      );
      expect(logs.build).toBe('npm ci\n');
      expect(logs.image).toBe('#5 exporting layers\n');
    }
  });

  it('keeps a line that imitates an earlier step’s marker as text of the step it is in', async () => {
    const text = jobLog({
      fetch: `CODEFLOW_COMMIT=${SHA}\n`,
      build: `== s0-fetch ==\nCODEFLOW_COMMIT=${'e'.repeat(40)}\n`,
      image: '',
      push: `CODEFLOW_DIGEST=${DIGEST}\n`,
    });
    const { sink, logs } = recordingSink();
    const result = await followBuild(
      examplePlan(),
      STEPS,
      jobRun(text, { state: 'succeeded' }, 50),
      sink,
      noWait,
    );
    expect(result.commit.sha).toBe(SHA); // the fetch step's own line, not the build's
    expect(logs.build).toContain('== s0-fetch ==');
  });

  it('reports a Job past its deadline as a timeout of the step it was in', async () => {
    const text = jobLog({
      fetch: `CODEFLOW_COMMIT=${SHA}\n`,
      build: 'npm ci\n',
    });
    const { sink } = recordingSink();
    const error = await followBuild(
      examplePlan(),
      STEPS,
      jobRun(
        text,
        {
          state: 'failed',
          reason: 'the run took longer than 3600 s: Kubernetes stopped the Job',
        },
        100,
      ),
      sink,
      noWait,
    ).catch(e => e);
    expect(error).toBeInstanceOf(BuildStepError);
    expect(error).toMatchObject({
      step: 'build',
      kind: 'timeout',
      message: 'the run took longer than 3600 s: Kubernetes stopped the Job',
    });
  });

  it('names the failed step and what the executor said when the lines tell nothing', async () => {
    const text = jobLog({
      fetch: `CODEFLOW_COMMIT=${SHA}\n`,
      build: 'make: *** [all] Error 2\n',
    });
    const { sink } = recordingSink();
    await expect(
      followBuild(
        examplePlan(),
        STEPS,
        jobRun(
          text,
          { state: 'failed', reason: 'a stage failed (BackoffLimitExceeded)' },
          100,
        ),
        sink,
        noWait,
      ),
    ).rejects.toMatchObject({
      step: 'build',
      kind: 'other',
      message:
        'the build step failed: make: *** [all] Error 2 (a stage failed (BackoffLimitExceeded))',
    });
  });
});
