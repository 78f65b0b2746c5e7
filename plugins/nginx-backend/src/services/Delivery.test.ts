import {
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANAGED_MARKER } from '../render';
import { deliverToNode } from './Delivery';

const managed = (text: string) => `# ${MANAGED_MARKER}\n${text}\n`;

describe('deliverToNode', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nginx-deliver-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('rewrites only the files whose text changed, removes its own stale files, keeps the others', async () => {
    const node = { name: 'n1', confDir: dir, reloadCommand: ['/bin/true'] };
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++) files[`d${i}.conf`] = managed(`# d${i}`);
    files['gone.conf'] = managed('# gone');
    expect(await deliverToNode(node, files)).toEqual({
      node: 'n1',
      ok: true,
      message: 'written and reloaded',
    });
    await writeFile(join(dir, 'hand-made.conf'), 'server {}\n');
    const inodes = async () =>
      Object.fromEntries(
        await Promise.all(
          (
            await readdir(dir)
          ).map(async name => [name, (await stat(join(dir, name))).ino]),
        ),
      );
    const before = await inodes();

    const next: Record<string, string> = {
      ...files,
      'd7.conf': managed('# d7 changed'),
    };
    delete next['gone.conf'];
    expect((await deliverToNode(node, next)).ok).toBe(true);
    const after = await inodes();

    expect(await readFile(join(dir, 'd7.conf'), 'utf8')).toBe(
      managed('# d7 changed'),
    );
    // a rename put a new file in place of the changed one only
    expect(after['d7.conf']).not.toBe(before['d7.conf']);
    const unchanged = Object.keys(next).filter(name => name !== 'd7.conf');
    expect(unchanged.map(name => after[name])).toEqual(
      unchanged.map(name => before[name]),
    );
    expect(after['gone.conf']).toBeUndefined();
    expect(after['hand-made.conf']).toBe(before['hand-made.conf']);
    expect(Object.keys(after).filter(name => name.endsWith('.tmp'))).toEqual(
      [],
    );
  });

  it('reports a failed reload with its message', async () => {
    const result = await deliverToNode(
      { name: 'n1', confDir: dir, reloadCommand: ['/bin/false'] },
      { 'a.conf': managed('# a') },
    );
    expect(result).toEqual({
      node: 'n1',
      ok: false,
      message: expect.stringMatching(/^reload failed: .*\(exit 1\)$/),
    });
  });
});
