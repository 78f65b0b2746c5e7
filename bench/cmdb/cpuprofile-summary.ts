/*
 * Where a node process spent its CPU: self time of a V8 .cpuprofile (node --cpu-prof) summed by
 * package (node_modules/<package>), node's own modules, the repository's files, GC and idle.
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs bench/cmdb/cpuprofile-summary.ts <file.cpuprofile> [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}

const [file, topArg] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
};
const totalHits = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
const msPerHit = (profile.endTime - profile.startTime) / 1000 / totalHits;

function bucket(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName || '(anonymous native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  return url.includes('/plugins/') || url.includes('/bench/')
    ? 'this repository'
    : url;
}

const byBucket = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const node of profile.nodes) {
  const hits = node.hitCount ?? 0;
  if (!hits) continue;
  const b = bucket(node);
  byBucket.set(b, (byBucket.get(b) ?? 0) + hits);
  const f = `${node.callFrame.functionName || '(anonymous)'} (${b})`;
  byFunction.set(f, (byFunction.get(f) ?? 0) + hits);
}
const busy = totalHits - (byBucket.get('(idle)') ?? 0);
const top = Number(topArg ?? 15);
const table = (rows: Map<string, number>) =>
  [...rows]
    .filter(([name]) => !name.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([name, hits]) =>
        `| ${name} | ${Math.round(hits * msPerHit)} ms | ${(
          (hits / busy) *
          100
        ).toFixed(1)} % |`,
    )
    .join('\n');
process.stdout.write(
  `profile ${((profile.endTime - profile.startTime) / 1e6).toFixed(
    1,
  )} s, busy ${Math.round(
    busy * msPerHit,
  )} ms (idle excluded)\n\n| by package | self time | of busy |\n| --- | --- | --- |\n${table(
    byBucket,
  )}\n\n| by function | self time | of busy |\n| --- | --- | --- |\n${table(
    byFunction,
  )}\n`,
);
