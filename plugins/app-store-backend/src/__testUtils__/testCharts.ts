import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { localHelm, localRegistryHost } from './startAppStoreBackend';

/** The registry path the tests' own charts are pushed under (never H1's `charts`). */
export const TEST_CHART_PATH = 'app-store-test';
/** The tests' chart: a one-pod StatefulSet with the project charts' shape (no PVC). */
export const TEST_CHART = 'tiny-db';

const SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    preset: { type: 'string', enum: ['small', 'medium', 'large'] },
    replicas: { type: 'integer', minimum: 1, maximum: 3 },
    image: { type: 'string' },
    nodeSelector: {
      type: 'object',
      additionalProperties: { type: 'string' },
    },
    storage: {
      type: 'object',
      properties: {
        size: { type: 'string', pattern: '^[0-9]+(Mi|Gi|Ti)$' },
      },
    },
    auth: {
      type: 'object',
      properties: {
        user: { type: 'string' },
        password: { type: 'string', minLength: 12 },
      },
    },
  },
};

const VALUES = `preset: small
replicas: 1
image: registry.example.com/tiny-db:1.0
nodeSelector: {}
storage:
  size: 1Gi
auth:
  user: app
`;

const TEMPLATES: Record<string, string> = {
  'secret.yaml': `apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-auth
  labels:
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/name: tiny-db
type: Opaque
data:
  {{- $old := lookup "v1" "Secret" .Release.Namespace (printf "%s-auth" .Release.Name) }}
  {{- if .Values.auth.password }}
  password: {{ .Values.auth.password | b64enc | quote }}
  {{- else if $old }}
  password: {{ index $old.data "password" | quote }}
  {{- else }}
  password: {{ randAlphaNum 20 | b64enc | quote }}
  {{- end }}
`,
  'service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/name: tiny-db
  annotations:
    container-cloud.io/app-store-password-secret: {{ .Release.Name }}-auth/password
    container-cloud.io/app-store-user: {{ .Values.auth.user | quote }}
spec:
  selector:
    app.kubernetes.io/instance: {{ .Release.Name }}
  ports:
    - name: db
      port: 5555
      targetPort: 5555
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-headless
  labels:
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/name: tiny-db
spec:
  clusterIP: None
  selector:
    app.kubernetes.io/instance: {{ .Release.Name }}
  ports:
    - name: db
      port: 5555
`,
  'statefulset.yaml': `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/name: tiny-db
spec:
  serviceName: {{ .Release.Name }}-headless
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/instance: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/instance: {{ .Release.Name }}
        app.kubernetes.io/name: tiny-db
      annotations:
        chart-version: {{ .Chart.Version | quote }}
    spec:
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 1001
      containers:
        - name: db
          image: {{ .Values.image }}
          resources:
            requests:
              cpu: {{ if eq .Values.preset "small" }}50m{{ else }}200m{{ end }}
              memory: 64Mi
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ .Release.Name }}-auth
                  key: password
`,
};

function helmEnv(dir: string) {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    HELM_CACHE_HOME: join(dir, 'cache'),
    HELM_CONFIG_HOME: join(dir, 'config'),
    HELM_DATA_HOME: join(dir, 'data'),
  };
}

/** Writes and packages the tests' chart at `version` into `out`; returns the .tgz path. */
function packageTestChart(dir: string, version: string, out: string): string {
  const chart = join(dir, version, TEST_CHART);
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(
    join(chart, 'Chart.yaml'),
    `apiVersion: v2\nname: ${TEST_CHART}\nversion: ${version}\nappVersion: "1.${
      version.split('.')[1]
    }"\ndescription: A tiny database for the app store's tests\nkeywords: [test, database]\n`,
  );
  writeFileSync(join(chart, 'values.yaml'), VALUES);
  writeFileSync(
    join(chart, 'values.schema.json'),
    JSON.stringify(SCHEMA, null, 2),
  );
  writeFileSync(
    join(chart, 'README.md'),
    `# tiny-db ${version}\n\nA test chart.\n`,
  );
  for (const [file, text] of Object.entries(TEMPLATES)) {
    writeFileSync(join(chart, 'templates', file), text);
  }
  mkdirSync(out, { recursive: true });
  execFileSync(localHelm(), ['package', chart, '-d', out], {
    env: helmEnv(dir),
    stdio: 'pipe',
  });
  return join(out, `${TEST_CHART}-${version}.tgz`);
}

/**
 * Packages the tests' chart at each version and pushes it to the local cloud's registry as
 * `oci://<registry>/app-store-test/tiny-db` (a tag pushed again is the same chart). Returns the
 * repository config for `containerCloud.appStore.repositories`.
 */
export function pushTestChart(versions: string[] = ['0.1.0', '0.2.0']): {
  name: string;
  url: string;
  plainHttp: boolean;
} {
  const host = localRegistryHost();
  if (!host) throw new Error('load the local cloud env: local-cloud env');
  const dir = mkdtempSync(join(tmpdir(), 'app-store-test-chart-'));
  try {
    for (const version of versions) {
      const tgz = packageTestChart(dir, version, join(dir, 'out', version));
      execFileSync(
        localHelm(),
        ['push', tgz, `oci://${host}/${TEST_CHART_PATH}`, '--plain-http'],
        { env: helmEnv(dir), stdio: 'pipe' },
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    name: 'test',
    url: `oci://${host}/${TEST_CHART_PATH}`,
    plainHttp: true,
  };
}

/**
 * A classic Helm repository of the tests' chart: the packaged versions and the `index.yaml`
 * `helm repo index` writes, served over HTTP on loopback. `close()` stops it and removes them.
 */
export async function classicTestRepository(
  versions: string[] = ['0.1.0', '0.2.0'],
): Promise<{ url: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'app-store-test-repo-'));
  const out = join(dir, 'repo');
  for (const version of versions) packageTestChart(dir, version, out);
  const server = createServer((req, res) => {
    const file = join(out, basename(decodeURIComponent(req.url ?? '/')));
    if (!existsSync(file) || file === out) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200);
    res.end(readFileSync(file));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  execFileSync(localHelm(), ['repo', 'index', out, '--url', url], {
    env: helmEnv(dir),
    stdio: 'pipe',
  });
  return {
    url,
    async close() {
      await new Promise(resolve => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
