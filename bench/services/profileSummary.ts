/*
 * Where a page's CPU profile (a `.cpuprofile` from the Profiler domain, as bench/services/browser.ts
 * --profile writes) spent its time: self time per function, mapped through the built app's source
 * maps (packages/app/dist/static/*.js.map) to the original file and line, and summed per source
 * package, so the cost of our code stands apart from React's and Material UI's.
 *
 *   node bench/services/profileSummary.js <file.cpuprofile> [--top 30]
 */
import fs from 'node:fs';
import path from 'node:path';
import { SourceMapConsumer } from 'source-map';

const ROOT = path.resolve(__dirname, '../..');
const STATIC = path.join(ROOT, 'packages/app/dist/static');

interface ProfileNode {
  id: number;
  callFrame: {
    functionName: string;
    url: string;
    lineNumber: number;
    columnNumber: number;
  };
}

/** The package a source path belongs to: node_modules/<pkg>, or plugins/<name>, or the file. */
function owner(source: string): string {
  const nm = source.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = source.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const plugin = /(plugins|packages)\/([^/]+)\//.exec(source);
  return plugin ? `${plugin[1]}/${plugin[2]}` : source;
}

export async function main(args: string[]): Promise<number> {
  const file = args.find(a => !a.startsWith('--'));
  if (!file) {
    process.stderr.write(
      'usage: profileSummary.js <file.cpuprofile> [--top N]\n',
    );
    return 2;
  }
  const topIndex = args.indexOf('--top');
  const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 30;
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const nodes = new Map<number, ProfileNode>(
    (profile.nodes as ProfileNode[]).map(n => [n.id, n]),
  );
  // self time per node: each sample's delta belongs to the node sampled
  const self = new Map<number, number>();
  const samples: number[] = profile.samples ?? [];
  const deltas: number[] = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    self.set(samples[i], (self.get(samples[i]) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const consumers = new Map<string, SourceMapConsumer | null>();
  const consumer = async (url: string) => {
    const name = url.split('/').pop() ?? '';
    if (!consumers.has(name)) {
      const map = path.join(STATIC, `${name}.map`);
      consumers.set(
        name,
        url.includes('/static/') && fs.existsSync(map)
          ? await new SourceMapConsumer(fs.readFileSync(map, 'utf8'))
          : null,
      );
    }
    return consumers.get(name)!;
  };
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  for (const [id, ms] of self) {
    const { callFrame } = nodes.get(id)!;
    let where = callFrame.url
      ? `${callFrame.url.split('/').pop()}:${callFrame.lineNumber + 1}`
      : '(native)';
    let fn = callFrame.functionName || '(anonymous)';
    let pkg = callFrame.url ? 'unmapped' : fn;
    const map = callFrame.url ? await consumer(callFrame.url) : null;
    if (map) {
      const pos = map.originalPositionFor({
        line: callFrame.lineNumber + 1,
        column: callFrame.columnNumber,
      });
      if (pos.source) {
        const source = pos.source.replace(/^webpack:\/\/\//, '');
        where = `${source.replace(/.*node_modules\//, '')}:${pos.line}`;
        fn = pos.name ?? fn;
        pkg = owner(source);
      }
    }
    const key = `${fn} ${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    byOwner.set(pkg, (byOwner.get(pkg) ?? 0) + ms);
  }
  for (const c of consumers.values()) c?.destroy();
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([k, ms]) =>
          `| ${k.replace(/\|/g, '\\|')} | ${ms.toFixed(0)} | ${(
            (100 * ms) /
            total
          ).toFixed(1)} |`,
      );
  process.stdout.write(
    [
      `${path.basename(file)}: ${total.toFixed(0)} ms sampled`,
      '',
      '| self time by source package | ms | % |',
      '|---|---|---|',
      ...rows(byOwner),
      '',
      '| self time by function (original source) | ms | % |',
      '|---|---|---|',
      ...rows(byFunction),
      '',
    ].join('\n'),
  );
  return 0;
}
