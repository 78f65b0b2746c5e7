import type { LoggerService } from '@backstage/backend-plugin-api';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CodeflowCredential } from '../../definitions/codeflowConfig';
import { BUILD_ARGS } from '../../dockerfile';
import { redactor } from '../../failures';
import { RedactingSink, redactingSink } from './redactingSink';
import { withCacheLock } from './cacheLock';
import {
  BuildExecutor,
  BuildPlan,
  BuildResult,
  BuildSink,
  BuildStep,
  BuildStepError,
  imageTagsOf,
} from '../types';
import { Buildah } from './buildah';
import { LocalExecutorSettings, registryHostOf } from './config';
import {
  checkRefName,
  checkRepositoryUrl,
  exportCommit,
  fetchIntoCache,
  prepareGitAccess,
  readCommit,
} from './git';
import { authFileContent, registryHasImage } from './registry';
import {
  CommandAbortedError,
  CommandOutcome,
  lastLines,
  runCommand,
} from './run';

/** A run's or codeflow's id as one path segment. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What the registry says when it refuses a push for want of rights. */
const DENIED =
  /\b(401|403)\b|unauthorized|denied|authentication required|forbidden/i;

/**
 * The local executor: git and buildah on the backend's host. Per run a scratch folder
 * `<workDir>/<runId>` (`src/`, the code the build sees; `private/`, mode 0700, what it must not:
 * the askpass helper or key, the registry auth file, the Dockerfile); per codeflow a kept bare
 * copy `<cacheDir>/<codeflowId>` fetched into. The build script runs inside the build image
 * (`buildah run`, chroot isolation, the numeric build user, only `src/` mounted at /workspace);
 * the image is `buildah bud` of the plan's Dockerfile with `src/` as context; each tag pushed.
 * The scratch folder and the working container are always removed; the kept copy stays.
 */
export class LocalExecutor implements BuildExecutor {
  readonly id = 'local' as const;

  constructor(
    private readonly settings: LocalExecutorSettings,
    private readonly deps: { logger: LoggerService },
  ) {}

  private credential(
    name: string | null,
    step: BuildStep,
    what: string,
  ): CodeflowCredential | null {
    if (name === null) return null;
    const found = this.settings.credentials.find(c => c.name === name);
    if (!found) {
      throw new BuildStepError(
        step,
        `the ${what} credentials ${name} are no entry of containerCloud.codeflow.credentials`,
        step === 'fetch' ? 'fetch-failed' : 'other',
      );
    }
    return found;
  }

  async build(plan: BuildPlan, given: BuildSink): Promise<BuildResult> {
    for (const [what, value] of [
      ['run id', plan.runId],
      ['codeflow id', plan.codeflowId],
    ]) {
      if (!SEGMENT.test(value) || value.includes('..')) {
        throw new BuildStepError(
          'fetch',
          `the ${what} ${JSON.stringify(value)} cannot name a folder`,
        );
      }
    }
    const scratch = join(this.settings.workDir, plan.runId);
    const src = join(scratch, 'src');
    const privateDir = join(scratch, 'private');
    const container = `codeflow-${plan.runId}`;
    const gitDir = join(this.settings.cacheDir, plan.codeflowId);
    let step: BuildStep = 'fetch';
    const builtTags: string[] = [];

    const gitCredential = this.credential(
      plan.repository.credentials,
      'fetch',
      'repository',
    );
    const registryCredential = this.credential(
      plan.registryCredentials ?? this.settings.registry.credentials,
      'push',
      'registry',
    );
    const secrets = [
      gitCredential?.password,
      gitCredential?.sshPrivateKey?.trim(),
      registryCredential?.password,
    ].filter((s): s is string => !!s);
    const redact = redactor(secrets);
    const sink = redactingSink(given, secrets);
    const log = (s: BuildStep, text: string) => sink.log(s, text);
    const signal = sink.signal;

    await rm(scratch, { recursive: true, force: true });
    await mkdir(src, { recursive: true, mode: 0o755 });
    await mkdir(join(privateDir, 'tmp'), { recursive: true, mode: 0o700 });
    await mkdir(this.settings.cacheDir, { recursive: true, mode: 0o700 });
    const registryHosts = new Set(
      [plan.image.repository, plan.preprocessing?.image ?? '']
        .map(registryHostOf)
        .filter((h): h is string => !!h),
    );
    const authFile =
      registryCredential && registryHosts.size > 0
        ? join(privateDir, 'auth.json')
        : null;
    if (authFile) {
      await writeFile(
        authFile,
        authFileContent(
          [...registryHosts].map(host => ({
            host,
            credential: registryCredential!,
          })),
        ),
        { mode: 0o600 },
      );
    }
    const buildah = new Buildah(this.settings, { privateDir, authFile });
    await buildah.prepare();

    this.deps.logger.info(
      `codeflow ${plan.codeflowId} run ${plan.runId}: building locally in ${scratch}`,
    );
    try {
      // fetch
      await sink.stepStarted('fetch');
      // checked before anything names them in the log (a URL with a password is refused)
      checkRepositoryUrl(plan.repository.url);
      checkRefName(plan.ref.name);
      sink.note(
        'fetch',
        `fetching the ${plan.ref.kind} ${plan.ref.name}${
          plan.commit ? ` (commit ${plan.commit})` : ''
        } from ${plan.repository.url}${
          gitCredential ? ` as ${gitCredential.name}` : ''
        }\n`,
      );
      const access = await prepareGitAccess({
        credential: gitCredential,
        secretsDir: join(privateDir, 'git'),
        knownHostsFile: join(gitDir, 'known_hosts'),
      });
      const runner = {
        git: this.settings.git,
        signal,
        onOutput: (text: string) => log('fetch', text),
      };
      const { fetched, commit } = await withCacheLock(
        gitDir,
        async () => {
          // the URL, ref and commit are checked first; a rewritten history is taken as it is now
          // (forced refspec); git writes a kept copy's refs only once a fetch is complete
          const outcome = await fetchIntoCache({
            runner,
            gitDir,
            url: plan.repository.url,
            ref: plan.ref,
            commit: plan.commit,
            access,
          });
          await exportCommit({
            runner,
            gitDir,
            env: access.env,
            sha: outcome.sha,
            dest: src,
            indexFile: join(privateDir, 'index'),
          });
          return {
            fetched: outcome,
            commit: await readCommit(runner, gitDir, access.env, outcome.sha),
          };
        },
        { signal },
      );
      await sink.commit(commit);
      await sink.stepFinished('fetch', {
        status: 'succeeded',
        detail: `${
          fetched.cloned ? 'cloned into the cache' : 'fetched into the cache'
        } in ${fetched.seconds.toFixed(1)} s (${
          fetched.objects
        } objects), commit ${commit.sha.slice(0, 7)}`,
      });

      // preprocess
      step = 'preprocess';
      let preprocessingReused: boolean | null = null;
      if (plan.preprocessing) {
        await sink.stepStarted('preprocess');
        preprocessingReused = await this.preprocess(
          plan.preprocessing,
          buildah,
          registryCredential,
          privateDir,
          sink,
        );
      } else {
        await sink.stepFinished('preprocess', {
          status: 'skipped',
          detail: 'the codeflow has no pre-processing script',
        });
      }

      // build
      step = 'build';
      await sink.stepStarted('build');
      if (plan.buildScript.length === 0) {
        await sink.stepFinished('build', {
          status: 'skipped',
          detail: 'the codeflow has no build script',
        });
      } else {
        const started = Date.now();
        await this.runBuildScript(plan, buildah, src, container, sink);
        await sink.stepFinished('build', {
          status: 'succeeded',
          detail: `${plan.buildScript.length} command${
            plan.buildScript.length === 1 ? '' : 's'
          } in ${plan.buildImage.image} in ${seconds(Date.now() - started)}`,
        });
      }

      // image
      step = 'image';
      await sink.stepStarted('image');
      const tags = imageTagsOf(plan, commit.sha);
      const imageStarted = Date.now();
      const dockerfile = join(privateDir, 'Dockerfile');
      await writeFile(dockerfile, plan.dockerfile, { mode: 0o600 });
      const buildArgs = {
        ...plan.buildArgs,
        [BUILD_ARGS.revision]: commit.sha,
      };
      builtTags.push(...tags);
      const bud = await buildah.run(
        [
          'bud',
          '--isolation',
          'chroot',
          '--layers=false',
          ...buildah.authArgs,
          '-f',
          dockerfile,
          ...Object.entries(buildArgs).flatMap(([k, v]) => [
            '--build-arg',
            `${k}=${v}`,
          ]),
          ...tags.flatMap(t => ['-t', t]),
          src,
        ],
        { signal, onOutput: text => log('image', text) },
      );
      if (bud.code !== 0) {
        throw new BuildStepError(
          'image',
          `the image could not be built (buildah bud exited with ${exitOf(
            bud,
          )}): ${lastLines(redact(bud.tail), 1).join('')}`,
          'build-failed',
        );
      }
      await sink.stepFinished('image', {
        status: 'succeeded',
        detail: `${tags[0]} built in ${seconds(Date.now() - imageStarted)}`,
      });

      // push
      step = 'push';
      await sink.stepStarted('push');
      const pushStarted = Date.now();
      let digest = '';
      for (const [index, tag] of tags.entries()) {
        const digestFile = join(privateDir, `digest-${index}`);
        await this.push(buildah, tag, digestFile, 'push', sink, redact);
        if (index === 0) digest = (await readFile(digestFile, 'utf8')).trim();
      }
      await sink.stepFinished('push', {
        status: 'succeeded',
        detail: `${tags.join(', ')} pushed (${digest.slice(
          0,
          19,
        )}) in ${seconds(Date.now() - pushStarted)}`,
      });
      this.deps.logger.info(
        `codeflow ${plan.codeflowId} run ${plan.runId}: pushed ${tags[0]} ${digest}`,
      );
      return { commit, images: tags, digest, preprocessingReused };
    } catch (error) {
      if (signal.aborted || error instanceof CommandAbortedError) {
        throw signal.reason instanceof Error
          ? signal.reason
          : new Error('the run was cancelled');
      }
      if (error instanceof BuildStepError) throw error;
      throw new BuildStepError(
        step,
        redact(error instanceof Error ? error.message : String(error)),
        step === 'fetch' ? 'fetch-failed' : 'other',
      );
    } finally {
      sink.flush();
      await this.cleanUp(buildah, container, builtTags, scratch);
    }
  }

  /** Reuses the pre-processing image when the registry (or, unqualified, the local store) has it; else builds and pushes it. */
  private async preprocess(
    pre: NonNullable<BuildPlan['preprocessing']>,
    buildah: Buildah,
    credential: CodeflowCredential | null,
    privateDir: string,
    sink: RedactingSink,
  ): Promise<boolean> {
    const started = Date.now();
    const key12 = pre.key.slice(0, 12);
    const host = registryHostOf(pre.image);
    const inRegistry = host !== null && host !== 'localhost';
    const present = inRegistry
      ? await registryHasImage(pre.image, {
          insecure: this.settings.registry.insecureHosts.includes(host!),
          credential,
          signal: sink.signal,
        })
      : (
          await buildah.run(['inspect', '--type', 'image', pre.image], {
            signal: sink.signal,
          })
        ).code === 0;
    if (present) {
      sink.note('preprocess', `${pre.image} is there already: reused\n`);
      await sink.stepFinished('preprocess', {
        status: 'succeeded',
        detail: `reused pre-processing image ${key12}`,
      });
      return true;
    }
    const context = join(privateDir, 'preprocess-context');
    await mkdir(context, { recursive: true });
    const dockerfile = join(privateDir, 'preprocess.Dockerfile');
    await writeFile(dockerfile, pre.dockerfile, { mode: 0o600 });
    const bud = await buildah.run(
      [
        'bud',
        '--isolation',
        'chroot',
        '--layers=false',
        ...buildah.authArgs,
        '-f',
        dockerfile,
        '-t',
        pre.image,
        context,
      ],
      { signal: sink.signal, onOutput: text => sink.log('preprocess', text) },
    );
    if (bud.code !== 0) {
      throw new BuildStepError(
        'preprocess',
        `the pre-processing image could not be built (buildah bud exited with ${exitOf(
          bud,
        )}): ${lastLines(bud.tail, 1).join('')}`,
        'build-failed',
      );
    }
    if (inRegistry) {
      await this.push(
        buildah,
        pre.image,
        join(privateDir, 'digest-preprocess'),
        'preprocess',
        sink,
        redactor([]),
      );
    }
    await sink.stepFinished('preprocess', {
      status: 'succeeded',
      detail: `built pre-processing image ${key12} in ${seconds(
        Date.now() - started,
      )}`,
    });
    return false;
  }

  /** Each command of the build script in the build image, as the build user, with only src/ mounted. */
  private async runBuildScript(
    plan: BuildPlan,
    buildah: Buildah,
    src: string,
    container: string,
    sink: RedactingSink,
  ): Promise<void> {
    const uid = this.settings.buildUser;
    const chown = await runCommand(
      ['chown', '-hR', `${uid}:${uid}`, '--', src],
      {
        env: buildah.env,
        signal: sink.signal,
      },
    );
    if (chown.code !== 0) {
      throw new BuildStepError(
        'build',
        `the source folder could not be given to the build user: ${lastLines(
          chown.tail,
          1,
        ).join('')}`,
      );
    }
    // a container left by an earlier attempt of this run
    await buildah.run(['rm', container]);
    const from = await buildah.run(
      ['from', '--name', container, ...buildah.authArgs, plan.buildImage.image],
      { signal: sink.signal, onOutput: text => sink.log('build', text) },
    );
    if (from.code !== 0) {
      throw new BuildStepError(
        'build',
        `the build image ${
          plan.buildImage.image
        } could not be pulled (buildah exited with ${exitOf(
          from,
        )}): ${lastLines(from.tail, 1).join('')}`,
      );
    }
    for (const argv of plan.buildScript) {
      if (argv.length === 0) continue;
      sink.note('build', `$ ${argv.map(shellWord).join(' ')}\n`);
      const outcome = await buildah.run(
        [
          'run',
          '--isolation',
          'chroot',
          '--user',
          `${uid}:${uid}`,
          '--volume',
          `${src}:/workspace:rw`,
          '--workingdir',
          '/workspace',
          '--env',
          'HOME=/tmp',
          '--env',
          'CI=true',
          container,
          '--',
          ...argv,
        ],
        { signal: sink.signal, onOutput: text => sink.log('build', text) },
      );
      if (outcome.code !== 0) {
        throw new BuildStepError(
          'build',
          `${argv.map(shellWord).join(' ')} exited with ${exitOf(outcome)}`,
          'other',
        );
      }
    }
  }

  private async push(
    buildah: Buildah,
    tag: string,
    digestFile: string,
    step: BuildStep,
    sink: RedactingSink,
    redact: (text: string) => string,
  ): Promise<void> {
    const outcome = await buildah.run(
      [
        'push',
        ...buildah.authArgs,
        '--retry',
        '1',
        '--digestfile',
        digestFile,
        tag,
        `docker://${tag}`,
      ],
      { signal: sink.signal, onOutput: text => sink.log(step, text) },
    );
    if (outcome.code === 0) return;
    const last = redact(lastLines(outcome.tail, 1).join(''));
    if (DENIED.test(outcome.tail)) {
      throw new BuildStepError(
        step,
        `the registry refused the push: ${last}`,
        'push-denied',
      );
    }
    throw new BuildStepError(
      step,
      `${tag} could not be pushed (buildah exited with ${exitOf(
        outcome,
      )}): ${last}`,
    );
  }

  private async cleanUp(
    buildah: Buildah,
    container: string,
    tags: string[],
    scratch: string,
  ): Promise<void> {
    const quietly = async (work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        this.deps.logger.warn(
          `codeflow local executor: clean-up of ${scratch}: ${error}`,
        );
      }
    };
    await quietly(() => buildah.run(['rm', container]));
    if (tags.length > 0) {
      // the pushed image lives in the registry; vfs keeps full copies, so it goes from the store
      await quietly(() => buildah.run(['rmi', '--force', ...tags]));
    }
    await quietly(() => rm(scratch, { recursive: true, force: true }));
  }
}

function exitOf(outcome: CommandOutcome): string {
  return outcome.code !== null
    ? String(outcome.code)
    : `signal ${outcome.signal}`;
}

/** An argv word as a person would type it (for the log only; nothing runs through a shell). */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)
    ? word
    : `'${word.replace(/'/g, `'\\''`)}'`;
}
