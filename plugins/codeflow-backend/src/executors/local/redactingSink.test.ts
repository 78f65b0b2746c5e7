import type { BuildStep } from '../types';
import { redactingSink } from './redactingSink';
import { RecordingSink } from './__testUtils__/images';

describe('redactingSink', () => {
  it('masks a secret split over chunks and gives out what it held back when the step ends', async () => {
    const given = new RecordingSink();
    const sink = redactingSink(given, ['hunter2-secret']);
    sink.log('build', 'the token is hunter2');
    sink.log('build', '-secret, done');
    sink.log('push', 'pushing');
    await sink.stepFinished('build', { status: 'succeeded' });
    expect(given.logText('build')).toBe('the token is ***, done');
    expect(given.events).toEqual(['succeeded build']);
    sink.flush();
    expect(given.logText('push' as BuildStep)).toBe('pushing');
    expect(given.logText()).not.toContain('hunter2');
  });
});
