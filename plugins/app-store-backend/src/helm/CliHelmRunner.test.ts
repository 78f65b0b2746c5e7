import { existsSync, readFileSync, statSync } from 'node:fs';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { parse } from 'yaml';
import {
  CliHelmRunner,
  HelmError,
  helmErrorText,
  helmFailure,
  HelmSpawn,
  installArgs,
} from './CliHelmRunner';

const DETAILS = {
  name: 'local-a',
  url: 'https://127.0.0.1:6443',
  serviceAccountToken: 'the-token',
  caData: 'Q0E=',
  skipTLSVerify: false,
};

const RELEASE = JSON.stringify({
  name: 'r',
  namespace: 'payments',
  version: 1,
  info: { status: 'deployed' },
  chart: { metadata: { name: 'redis', version: '0.1.0' } },
});

/** A spawn that records each call and what its files held while it ran. */
function recordingSpawn(
  answer: { code?: number; stdout?: string; stderr?: string } = {},
) {
  const calls: Array<{
    program: string;
    args: string[];
    env: NodeJS.ProcessEnv;
    files: Record<string, { text: string; mode: number }>;
  }> = [];
  const spawn: HelmSpawn = async (program, args, { env }) => {
    const files: Record<string, { text: string; mode: number }> = {};
    const paths = [
      env.KUBECONFIG!,
      ...args.filter((_, i) => args[i - 1] === '--values'),
    ];
    for (const path of paths) {
      files[path] = {
        text: readFileSync(path, 'utf8'),
        mode: statSync(path).mode & 0o777,
      };
    }
    calls.push({ program, args, env, files });
    return {
      code: answer.code ?? 0,
      stdout: answer.stdout ?? RELEASE,
      stderr: answer.stderr ?? '',
    };
  };
  return { spawn, calls };
}

describe('CliHelmRunner', () => {
  it('installs with an argv, the password only in a 0600 values file that is gone afterwards', async () => {
    const { spawn, calls } = recordingSpawn();
    const runner = new CliHelmRunner({
      helm: '/opt/helm',
      cluster: () => DETAILS,
      spawn,
    });
    const release = await runner.install(
      { cluster: 'local-a', namespace: 'payments' },
      'cache',
      {
        chart: 'oci://127.0.0.1:5000/charts/redis',
        version: '0.1.0',
        plainHttp: true,
      },
      {
        values: { preset: 'small' },
        secretValues: { auth: { password: 'hunter2-hunter2' } },
      },
      { createNamespace: true },
    );
    expect(release.info.status).toBe('deployed');
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call.program).toBe('/opt/helm');
    expect(call.args.slice(0, 11)).toEqual([
      'install',
      'cache',
      'oci://127.0.0.1:5000/charts/redis',
      '--namespace',
      'payments',
      '--version',
      '0.1.0',
      '--output',
      'json',
      '--plain-http',
      '--create-namespace',
    ]);
    expect(call.args).not.toContain('--atomic');
    expect(call.args).not.toContain('--wait');
    expect(call.args.join(' ')).not.toContain('hunter2');
    expect(JSON.stringify(call.env)).not.toContain('hunter2');
    const valueFiles = call.args.filter(
      (_, i) => call.args[i - 1] === '--values',
    );
    expect(valueFiles).toHaveLength(2);
    const secret = call.files[valueFiles[1]];
    expect(JSON.parse(secret.text)).toEqual({
      auth: { password: 'hunter2-hunter2' },
    });
    expect(secret.mode).toBe(0o600);
    expect(JSON.parse(call.files[valueFiles[0]].text)).toEqual({
      preset: 'small',
    });
    for (const file of [...valueFiles, call.env.KUBECONFIG!]) {
      expect(existsSync(file)).toBe(false);
    }
  });

  it('reaches the cluster with the cluster layer’s credentials through a 0600 kubeconfig, never the host’s', async () => {
    const { spawn, calls } = recordingSpawn();
    const runner = new CliHelmRunner({ cluster: () => DETAILS, spawn });
    await runner.status({ cluster: 'local-a', namespace: 'payments' }, 'cache');
    const [call] = calls;
    expect(call.program).toBe('helm');
    expect(call.args).toEqual([
      'status',
      'cache',
      '--namespace',
      'payments',
      '--output',
      'json',
    ]);
    const kubeconfig = call.files[call.env.KUBECONFIG!];
    expect(kubeconfig.mode).toBe(0o600);
    const parsed = parse(kubeconfig.text);
    expect(parsed.clusters[0].cluster).toEqual({
      server: 'https://127.0.0.1:6443',
      'certificate-authority-data': 'Q0E=',
    });
    expect(parsed.users[0].user).toEqual({ token: 'the-token' });
    expect(call.args.join(' ')).not.toContain('the-token');
    expect(call.env.HELM_CONFIG_HOME).not.toMatch(/\.config\/helm/);
  });

  it('builds upgrades that keep the release’s values, and server-side dry runs', () => {
    const args = installArgs(
      'upgrade',
      { cluster: 'c', namespace: 'n' },
      'r',
      {
        chart: 'redis',
        repoUrl: 'https://charts.example.com',
        version: '1.2.3',
      },
      { dryRun: true },
    );
    expect(args).toEqual([
      'upgrade',
      'r',
      'redis',
      '--namespace',
      'n',
      '--version',
      '1.2.3',
      '--output',
      'json',
      '--repo',
      'https://charts.example.com',
      '--reset-then-reuse-values',
      '--dry-run=server',
    ]);
  });

  it('turns helm’s stderr into words and the matching HTTP error', async () => {
    expect(
      helmErrorText(
        'walk.go:74: some noise\nError: INSTALLATION FAILED: cannot re-use a name that is still in use\n',
      ),
    ).toBe('INSTALLATION FAILED: cannot re-use a name that is still in use');
    expect(
      helmFailure(
        'install',
        'Error: INSTALLATION FAILED: cannot re-use a name that is still in use',
      ),
    ).toBeInstanceOf(ConflictError);
    expect(
      helmFailure(
        'upgrade',
        'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress',
      ),
    ).toBeInstanceOf(ConflictError);
    expect(helmFailure('status', 'Error: release: not found')).toBeInstanceOf(
      NotFoundError,
    );
    // a chart the OCI registry never had (found by fuzzing: it was a 502)
    expect(
      helmFailure(
        'show',
        'Error: GET "http://127.0.0.1:16496/v2/charts/y/tags/list": response status code 404: name unknown: repository name not known to registry: map[name:charts/y]',
      ),
    ).toBeInstanceOf(NotFoundError);
    expect(
      helmFailure(
        'install',
        "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nredis:\n- replicas: Must be less than or equal to 3",
      ),
    ).toBeInstanceOf(InputError);
    const other = helmFailure(
      'install',
      'Error: Kubernetes cluster unreachable: connection refused',
    );
    expect(other).toBeInstanceOf(HelmError);
    expect(other.message).toBe(
      'helm install failed: Kubernetes cluster unreachable: connection refused',
    );

    const { spawn } = recordingSpawn({
      code: 1,
      stdout: '',
      stderr: 'Error: release: not found',
    });
    const runner = new CliHelmRunner({ cluster: () => DETAILS, spawn });
    await expect(
      runner.status({ cluster: 'local-a', namespace: 'n' }, 'x'),
    ).resolves.toBeUndefined();
    await expect(
      runner.history({ cluster: 'local-a', namespace: 'n' }, 'x'),
    ).resolves.toEqual([]);
    await expect(
      runner.uninstall({ cluster: 'local-a', namespace: 'n' }, 'x'),
    ).resolves.toBeUndefined();
  });

  it('stops a helm call that takes longer than its timeout', async () => {
    const runner = new CliHelmRunner({
      helm: 'sleep',
      cluster: () => DETAILS,
      timeoutMs: 200,
    });
    await expect((runner as any).call(['5'])).rejects.toThrow(
      /did not finish within 0.2 s/,
    );
  });
});
