import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  SOURCE_DIGEST_ANNOTATION,
  chartSourceDigest,
  findChartsDir,
  listChartSources,
  publishCharts,
  publishedSourceDigest,
} from './charts';
import { useLocalCloud } from './testing';

const lc = useLocalCloud();

describe("the repository's charts", () => {
  it('lists the four charts with their folder version first and the older ones after it', () => {
    const sources = listChartSources(findChartsDir());
    expect(sources.map(s => [s.name, s.versions])).toEqual([
      ['kafka', ['0.2.0', '0.1.0']],
      ['mysql', ['0.2.0', '0.1.0']],
      ['redis', ['0.2.0', '0.1.0']],
      ['zookeeper', ['0.2.0', '0.1.0']],
    ]);
  });

  it('are published to the local registry, each version carrying the digest of its sources', async () => {
    // as seed does (pushing is skipped when unchanged)
    const lines: string[] = [];
    const results = await publishCharts({
      helm: lc.info.helm.binary,
      chartsDir: findChartsDir(),
      registryUrl: lc.info.registry.url,
      helmHome: path.join(lc.info.home, 'helm'),
      progress: line => lines.push(line),
    });
    expect(results).toHaveLength(8);
    for (const source of listChartSources(findChartsDir())) {
      for (const version of source.versions) {
        expect(
          await publishedSourceDigest(
            lc.info.registry.url,
            source.name,
            version,
          ),
        ).toBe(chartSourceDigest(source.dir, version));
      }
    }
    expect(lines.at(-1)).toMatch(
      /^ {2}charts: kafka 0\.2\.0, 0\.1\.0; .* at oci:\/\/127\.0\.0\.1:\d+\/charts \(\d+ pushed, \d+ unchanged\)$/,
    );
  });
});

describe('publishCharts', () => {
  it('pushes a chart once, skips it while unchanged and pushes it again when a file changes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-charts-'));
    // outside charts/, so the app store's catalogue never lists it
    const repositoryPath = `local-cloud-test/charts-${crypto
      .randomBytes(3)
      .toString('hex')}`;
    try {
      const chart = path.join(dir, 'tiny');
      fs.mkdirSync(path.join(chart, 'templates'), { recursive: true });
      fs.writeFileSync(
        path.join(chart, 'Chart.yaml'),
        'apiVersion: v2\nname: tiny\nversion: 1.1.0\ndescription: a tiny chart\n',
      );
      fs.writeFileSync(
        path.join(chart, 'templates', 'cm.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  a: "1"\n',
      );
      fs.writeFileSync(
        path.join(dir, 'older-versions.json'),
        JSON.stringify({ tiny: ['1.0.0'] }),
      );
      const publish = () =>
        publishCharts({
          helm: lc.info.helm.binary,
          chartsDir: dir,
          registryUrl: lc.info.registry.url,
          helmHome: path.join(dir, '.helm'),
          repositoryPath,
        });
      expect(await publish()).toEqual([
        { name: 'tiny', version: '1.1.0', pushed: true },
        { name: 'tiny', version: '1.0.0', pushed: true },
      ]);
      expect((await publish()).map(r => r.pushed)).toEqual([false, false]);
      fs.writeFileSync(
        path.join(chart, 'templates', 'cm.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  a: "2"\n',
      );
      expect((await publish()).map(r => r.pushed)).toEqual([true, true]);
      // what helm pulls is the chart, its version, and the source digest of what was pushed
      const shown = spawnSync(
        lc.info.helm.binary,
        [
          'show',
          'chart',
          `oci://${new URL(lc.info.registry.url).host}/${repositoryPath}/tiny`,
          '--version',
          '1.0.0',
          '--plain-http',
        ],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            HELM_CACHE_HOME: path.join(dir, '.helm', 'cache'),
          },
        },
      );
      expect(shown.status).toBe(0);
      expect(shown.stdout).toContain('version: 1.0.0');
      expect(shown.stdout).toContain(
        `${SOURCE_DIGEST_ANNOTATION}: ${chartSourceDigest(chart, '1.0.0')}`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
