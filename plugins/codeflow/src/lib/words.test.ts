import type { CodeflowRunStep } from '@internal/plugin-container-cloud-common';
import { duration, stepsInOrder, triggerWords } from './words';

const step = (name: string): CodeflowRunStep => ({
  name,
  status: 'pending',
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  detail: null,
});

describe('words', () => {
  it('orders the steps as they run, whatever order they come in, roll-outs last in their own order', () => {
    const steps = [
      'fetch',
      'build',
      'image',
      'push',
      'rollout local-a/payments',
      'rollout local-b/payments',
      'preprocess',
    ].map(step);
    expect(stepsInOrder(steps).map(s => s.name)).toEqual([
      'fetch',
      'preprocess',
      'build',
      'image',
      'push',
      'rollout local-a/payments',
      'rollout local-b/payments',
    ]);
  });

  it('says durations and triggers in words', () => {
    expect(duration(850)).toBe('850 ms');
    expect(duration(42_500)).toBe('43 s');
    expect(duration(75_000)).toBe('1 min 15 s');
    expect(duration(null)).toBe('—');
    expect(triggerWords('manual')).toBe('Run button');
    expect(triggerWords('gitlab-push')).toBe('GitLab push');
  });
});
