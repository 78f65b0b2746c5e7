import type { SignalsService } from '@backstage/plugin-signals-node';
import type { ContainerCloudClusters } from '@internal/plugin-container-cloud-node';
import { publishLiveUpdates } from './LiveUpdates';

type Listener = (cluster: string, kubernetesId: string, kind: string) => void;

function setup(timing: { windowMs?: number; settleMs?: number }) {
  let listener: Listener = () => {};
  const clusters = {
    onChange: (l: Listener) => {
      listener = l;
      return () => {};
    },
  } as unknown as ContainerCloudClusters;
  const sent: { at: number; channel: string; clusters: string[] }[] = [];
  const signals = {
    publish: async (s: {
      channel: string;
      message: { clusters: string[] };
    }) => {
      sent.push({
        at: Date.now(),
        channel: s.channel,
        clusters: s.message.clusters,
      });
    },
  } as unknown as SignalsService;
  const stop = publishLiveUpdates(clusters, signals, timing);
  return {
    sent,
    stop,
    change: (cluster: string, id = 'payments-api') =>
      listener(cluster, id, 'Pod'),
  };
}

describe('publishLiveUpdates', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sends one signal for a burst of changes, naming every cluster in it', () => {
    const { sent, change, stop } = setup({ windowMs: 500 });
    change('local-a');
    jest.advanceTimersByTime(200);
    change('local-b');
    change('local-a');
    jest.advanceTimersByTime(299);
    expect(sent).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(sent).toEqual([
      {
        at: 1_000_500,
        channel: 'container-cloud.services.payments-api',
        clusters: ['local-a', 'local-b'],
      },
    ]);
    jest.advanceTimersByTime(10_000);
    expect(sent).toHaveLength(1);
    stop();
  });

  it('without a rebuild floor, sends nothing after the window', () => {
    const { sent, change, stop } = setup({ windowMs: 500, settleMs: 0 });
    change('local-a');
    jest.advanceTimersByTime(450);
    change('local-a'); // inside the window, announced by its signal
    jest.advanceTimersByTime(5_000);
    expect(sent.map(s => s.at)).toEqual([1_000_500]);
    stop();
  });

  it('with a floor, signals again once the floor has passed after the last change', () => {
    const { sent, change, stop } = setup({ windowMs: 500, settleMs: 1_000 });
    change('local-a'); // t = 0
    jest.advanceTimersByTime(450);
    change('local-b'); // t = 450: the view may answer from before it until t = 1450
    jest.advanceTimersByTime(5_000);
    expect(sent.map(s => s.at - 1_000_000)).toEqual([500, 1_451]);
    expect(sent[1].clusters).toEqual(['local-a', 'local-b']);
    stop();
  });

  it('under changes that never stop, signals about once per floor, and after the last one', () => {
    const { sent, change, stop } = setup({ windowMs: 500, settleMs: 1_000 });
    for (let t = 0; t < 5_000; t += 100) {
      change('local-a');
      jest.advanceTimersByTime(100);
    }
    jest.advanceTimersByTime(5_000);
    const times = sent.map(s => s.at - 1_000_000);
    // the last change came at t = 4900; a signal follows it by at least the floor
    expect(times[times.length - 1]).toBeGreaterThanOrEqual(5_900);
    // while the changes went on, a signal came about once per floor (the floor counts from a
    // change, and the changes came every 100 ms), not once per window
    for (let i = 1; i < times.length - 1; i++) {
      expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(900);
    }
    expect(times.length).toBeLessThanOrEqual(7);
    stop();
  });

  it('keeps services apart', () => {
    const { sent, change, stop } = setup({ windowMs: 500 });
    change('local-a', 'payments-api');
    change('local-b', 'orders-api');
    jest.advanceTimersByTime(500);
    expect(sent.map(s => s.channel).sort()).toEqual([
      'container-cloud.services.orders-api',
      'container-cloud.services.payments-api',
    ]);
    stop();
  });

  it('sends nothing after it is stopped', () => {
    const { sent, change, stop } = setup({ windowMs: 500, settleMs: 1_000 });
    change('local-a');
    stop();
    jest.advanceTimersByTime(5_000);
    expect(sent).toHaveLength(0);
  });
});
