import type { Domain } from '@internal/plugin-container-cloud-common';
import { shopDomain } from '../__testUtils__/domains';
import { ClusterIndex } from './ClusterIndex';

const named = (name: string, serverName: string): Domain =>
  shopDomain({ name, serverNames: [serverName] });

/** A store of saved domains as another replica would change it, counting the reads. */
function savedDomains(initial: Domain[]) {
  const state = { domains: initial, loads: 0 };
  const load = async (_cluster: string) => {
    state.loads++;
    return state.domains;
  };
  return { state, load };
}

describe('ClusterIndex', () => {
  const a = named('a', 'a.example.com');
  const wantsA = named('new', 'a.example.com');

  it('reads the store once and answers edits from memory; its own writes count at once', async () => {
    const { state, load } = savedDomains([a]);
    let now = 0;
    const index = new ClusterIndex(load, 2000, 30000, () => now);
    expect(await index.conflicts(wantsA)).toEqual([
      "serverNames[0] / listen[0]: server name 'a.example.com' on 127.0.0.1:18080 is already used by domain 'a'",
    ]);
    now = 1000;
    expect(await index.conflicts(named('b', 'b.example.com'))).toEqual([]);
    expect(state.loads).toBe(1);

    // saved through this process: known without reading the store again
    index.put(named('a', 'other.example.com'));
    expect(await index.conflicts(wantsA)).toEqual([]);
    index.put(named('b', 'a.example.com'));
    expect(await index.conflicts(wantsA)).toHaveLength(1);
    index.delete('edge', 'b');
    expect(await index.conflicts(wantsA)).toEqual([]);
    // the domain being edited never collides with itself
    expect(await index.conflicts(named('a', 'other.example.com'))).toEqual([]);
    expect(state.loads).toBe(1);

    index.forget('edge');
    expect(await index.conflicts(wantsA)).toHaveLength(1);
    expect(state.loads).toBe(2);
  });

  it("sees another replica's writes: read again in the background after refreshMs, before answering after maxAgeMs", async () => {
    const { state, load } = savedDomains([]);
    let now = 0;
    const index = new ClusterIndex(load, 2000, 30000, () => now);
    expect(await index.conflicts(wantsA)).toEqual([]);
    state.domains = [a]; // saved on another replica

    now = 2500;
    // answered from the index it has, while it reads the store again
    expect(await index.conflicts(wantsA)).toEqual([]);
    expect(state.loads).toBe(2);
    expect(await index.conflicts(wantsA)).toHaveLength(1);

    state.domains = [];
    now = 60_000;
    // too old to answer with: read first
    expect(await index.conflicts(wantsA)).toEqual([]);
    expect(state.loads).toBe(3);
  });

  it('keeps a domain that collides with another when one of them goes', async () => {
    const { load } = savedDomains([a, named('a2', 'a.example.com')]);
    const index = new ClusterIndex(load, 2000, 30000, () => 0);
    expect(await index.conflicts(wantsA)).toHaveLength(1);
    index.delete('edge', 'a');
    expect(await index.conflicts(wantsA)).toEqual([
      "serverNames[0] / listen[0]: server name 'a.example.com' on 127.0.0.1:18080 is already used by domain 'a2'",
    ]);
  });

  it('does not trust a read that overlapped a write of its own', async () => {
    const { state } = savedDomains([]);
    let release: () => void = () => {};
    const load = async () => {
      state.loads++;
      const snapshot = state.domains;
      await new Promise<void>(resolve => (release = resolve));
      return snapshot;
    };
    const index = new ClusterIndex(load, 2000, 30000, () => 0);
    const first = index.conflicts(wantsA);
    // saved while the read was under way: the read may not have it
    state.domains = [a];
    index.put(a);
    release();
    expect(await first).toEqual([]);
    const second = index.conflicts(wantsA);
    release();
    expect(await second).toHaveLength(1);
    expect(state.loads).toBe(2);
  });
});
