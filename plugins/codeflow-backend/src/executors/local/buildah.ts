import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalExecutorSettings } from './config';
import { CommandOutcome, runCommand } from './run';

/**
 * buildah as the local executor calls it: as root on the backend's host, storage driver vfs, its
 * own `--root`/`--runroot`, `chroot` isolation, registries from a registries.conf of our own
 * (plain HTTP only for the configured insecure registries) and credentials in an auth file of
 * mode 0600 (never in argv).
 */
export class Buildah {
  constructor(
    private readonly settings: LocalExecutorSettings,
    private readonly files: {
      /** a folder of mode 0700 for this run's private files */
      privateDir: string;
      /** the auth file, when any credentials apply */
      authFile: string | null;
    },
  ) {}

  /** Writes the registries.conf (insecure hosts) the calls use. */
  async prepare(): Promise<void> {
    const lines = [
      '# written by the codeflow local executor for one run',
      'unqualified-search-registries = ["docker.io"]',
      'short-name-mode = "permissive"',
      '',
      ...this.settings.registry.insecureHosts.flatMap(host => [
        '[[registry]]',
        `location = ${JSON.stringify(host)}`,
        'insecure = true',
        '',
      ]),
    ];
    await writeFile(this.registriesConf, lines.join('\n'), { mode: 0o600 });
  }

  private get registriesConf(): string {
    return join(this.files.privateDir, 'registries.conf');
  }

  /** The environment of every buildah call: nothing of the backend's beyond PATH. */
  get env(): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: this.files.privateDir,
      TMPDIR: join(this.files.privateDir, 'tmp'),
      LC_ALL: 'C',
      BUILDAH_ISOLATION: 'chroot',
      CONTAINERS_REGISTRIES_CONF: this.registriesConf,
    };
  }

  /** `buildah --root … --runroot … --storage-driver vfs <args>` */
  run(
    args: string[],
    options: {
      signal?: AbortSignal;
      onOutput?: (text: string) => void;
      captureStdout?: boolean;
    } = {},
  ): Promise<CommandOutcome> {
    return runCommand(
      [
        this.settings.buildah,
        '--root',
        this.settings.storageRoot,
        '--runroot',
        this.settings.runRoot,
        '--storage-driver',
        'vfs',
        ...args,
      ],
      { env: this.env, ...options },
    );
  }

  /** `--authfile <file>` when credentials apply */
  get authArgs(): string[] {
    return this.files.authFile ? ['--authfile', this.files.authFile] : [];
  }
}
