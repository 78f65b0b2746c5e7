import { BUILD_ARGS, renderDockerfile, RUNTIME_USER } from '../dockerfile';
import type { BuildPlan, BuildStep, ExecutorStage } from './types';

/**
 * A BuildPlan as the stages of a remote executor (a Kubernetes Job, a Jenkins pipeline): one
 * stage per build step (`fetch`, `preprocess` when the codeflow has a pre-processing script,
 * `build`, `image`, `push`), each one fixed `sh` script of ours that reads the run's parameters
 * from its environment. No field of a codeflow is pasted into a script: repository, ref, commit,
 * images and Dockerfiles are parameters (the Dockerfiles base64-encoded), and the build script's
 * commands become exec-form RUN lines of a generated Dockerfile (rendered by ../dockerfile).
 *
 * The stages print what the adapter needs on lines of their own: `CODEFLOW_COMMIT=<sha>`,
 * `CODEFLOW_AUTHOR=…` and `CODEFLOW_SUBJECT=…` (fetch), `CODEFLOW_PREPROCESS=reused|built`
 * (preprocess), `CODEFLOW_DIGEST=sha256:…` (push). Only a step's own lines are read for them.
 */

/** Which builder the scripts drive. */
export type BuilderFlavour = 'buildkit' | 'buildah';

/** Where a flavour keeps its folders (the scripts' first lines). */
const FOLDERS: Record<BuilderFlavour, string> = {
  // the Job's pod: /workspace is an emptyDir shared by the stages; /cache the code cache claim
  buildkit: [
    'work=/workspace/run',
    'if [ -d /cache ] && [ -w /cache ]; then cache="/cache/$CODEFLOW_ID"; else cache=/workspace/cache; fi',
  ].join('\n'),
  // a Jenkins agent: the job's workspace (kept between the builds of a codeflow) holds both
  buildah: [
    'work="$WORKSPACE/.codeflow/run"',
    'cache="$WORKSPACE/.codeflow/cache"',
  ].join('\n'),
};

/** The git credentials file a Secret may provide (Kubernetes: `secrets` mounted there). */
export const GIT_CREDENTIALS_FILE =
  '/run/secrets/codeflow-git/.git-credentials';
/** The registry auth (a Docker config.json) a Secret may provide to BuildKit. */
export const REGISTRY_AUTH_DIR = '/run/secrets/codeflow-registry';

const FETCH = `
mkdir -p "$cache" "$work"
repo="$cache/repo.git"
[ -d "$repo" ] || git init --quiet --bare "$repo"
set --
if [ -f ${GIT_CREDENTIALS_FILE} ]; then set -- -c "credential.helper=store --file=${GIT_CREDENTIALS_FILE}"; fi
git "$@" --git-dir="$repo" fetch --quiet --force --no-tags "$GIT_URL" "+$GIT_REF:refs/codeflow/head"
if [ -n "$COMMIT_SHA" ]; then
  git --git-dir="$repo" cat-file -e "$COMMIT_SHA^{commit}" 2>/dev/null || git "$@" --git-dir="$repo" fetch --quiet --no-tags "$GIT_URL" "$COMMIT_SHA"
  sha=$(git --git-dir="$repo" rev-parse --verify "$COMMIT_SHA^{commit}")
else
  sha=$(git --git-dir="$repo" rev-parse --verify "refs/codeflow/head^{commit}")
fi
rm -rf "$work/src" && mkdir -p "$work/src"
git --git-dir="$repo" archive "$sha" | tar -x -C "$work/src"
printf '%s\\n' "$sha" >"$work/commit"
git --git-dir="$repo" log -1 --format='CODEFLOW_COMMIT=%H%nCODEFLOW_AUTHOR=%an <%ae>%nCODEFLOW_SUBJECT=%s' "$sha"
`;

/** Decodes a base64 parameter into a file. */
const decode = (parameter: string, file: string) =>
  `printf '%s' "$${parameter}" | base64 -d >"${file}"`;

/** The image's build arguments (`NAME=value` lines, base64) as builder options in "$@". */
const BUILD_ARG_OPTIONS = (option: string) => `
set --
while IFS= read -r arg; do
  if [ -n "$arg" ]; then set -- "$@" ${option} "$arg"; fi
done <<CODEFLOW_ARGS
$(printf '%s' "$BUILD_ARGS" | base64 -d)
CODEFLOW_ARGS
sha=$(cat "$work/commit")
set -- "$@" ${option} "${BUILD_ARGS.revision}=$sha"
tag="$IMAGE_REPOSITORY:$(printf '%.7s' "$sha")-$BUILD_NUMBER"
`;

const BUILDKIT = 'buildctl-daemonless.sh build --frontend dockerfile.v0';
const buildkitInsecure = `insecure=''; if [ "$REGISTRY_INSECURE" = true ]; then insecure=',registry.insecure=true'; fi
if [ -f ${REGISTRY_AUTH_DIR}/config.json ]; then export DOCKER_CONFIG=${REGISTRY_AUTH_DIR}; fi`;
const buildahTls = `tls=--tls-verify=true; if [ "$REGISTRY_INSECURE" = true ]; then tls=--tls-verify=false; fi`;

const SCRIPTS: Record<BuilderFlavour, Record<BuildStep, string>> = {
  buildkit: {
    fetch: FETCH,
    preprocess: `
${buildkitInsecure}
mkdir -p "$work/pre"
${decode('PREPROCESS_DOCKERFILE', '$work/pre/Dockerfile')}
printf 'FROM %s\\n' "$PREPROCESS_IMAGE" >"$work/pre/Probe.Dockerfile"
if ${BUILDKIT} --local context="$work/pre" --local dockerfile="$work/pre" --opt filename=Probe.Dockerfile --output type=cacheonly >/dev/null 2>&1; then
  echo "CODEFLOW_PREPROCESS=reused"
else
  ${BUILDKIT} --local context="$work/pre" --local dockerfile="$work/pre" --output "type=image,name=$PREPROCESS_IMAGE,push=true$insecure"
  echo "CODEFLOW_PREPROCESS=built"
fi
`,
    build: `
${decode('BUILD_DOCKERFILE', '$work/build.Dockerfile')}
${BUILDKIT} --local context="$work/src" --local dockerfile="$work" --opt filename=build.Dockerfile --output type=local,dest="$work/built"
`,
    image: `
${decode('IMAGE_DOCKERFILE', '$work/image.Dockerfile')}
${BUILD_ARG_OPTIONS('--opt')}
${BUILDKIT} --local context="$work/built" --local dockerfile="$work" --opt filename=image.Dockerfile "$@" --output type=image,name="$tag",push=false --export-cache type=local,dest="$work/image-cache"
`,
    push: `
${buildkitInsecure}
${BUILD_ARG_OPTIONS('--opt')}
names="$tag"; if [ -n "$BRANCH_TAG" ]; then names="$tag,$IMAGE_REPOSITORY:$BRANCH_TAG"; fi
${BUILDKIT} --local context="$work/built" --local dockerfile="$work" --opt filename=image.Dockerfile "$@" --import-cache type=local,src="$work/image-cache" --output "type=image,\\"name=$names\\",push=true$insecure" --metadata-file "$work/push.json"
digest=$(sed -n 's/.*"containerimage.digest": *"\\(sha256:[0-9a-f]\\{64\\}\\)".*/\\1/p' "$work/push.json" | head -n 1)
[ -n "$digest" ]
echo "CODEFLOW_DIGEST=$digest"
`,
  },
  buildah: {
    fetch: FETCH,
    preprocess: `
${buildahTls}
mkdir -p "$work/pre"
${decode('PREPROCESS_DOCKERFILE', '$work/pre/Dockerfile')}
if buildah pull --quiet "$tls" "$PREPROCESS_IMAGE" >/dev/null 2>&1; then
  echo "CODEFLOW_PREPROCESS=reused"
else
  buildah bud --layers "$tls" -f "$work/pre/Dockerfile" -t "$PREPROCESS_IMAGE" "$work/pre"
  buildah push "$tls" "$PREPROCESS_IMAGE" "docker://$PREPROCESS_IMAGE"
  echo "CODEFLOW_PREPROCESS=built"
fi
`,
    build: `
${decode('BUILD_DOCKERFILE', '$work/build.Dockerfile')}
rm -rf "$work/built"
buildah bud -f "$work/build.Dockerfile" --output type=local,dest="$work/built" "$work/src"
`,
    image: `
${buildahTls}
${decode('IMAGE_DOCKERFILE', '$work/image.Dockerfile')}
${BUILD_ARG_OPTIONS('--build-arg')}
buildah bud "$tls" -f "$work/image.Dockerfile" "$@" -t "$tag" "$work/built"
`,
    push: `
${buildahTls}
${BUILD_ARG_OPTIONS('--build-arg')}
buildah push "$tls" --digestfile "$work/digest" "$tag" "docker://$tag"
if [ -n "$BRANCH_TAG" ]; then
  buildah tag "$tag" "$IMAGE_REPOSITORY:$BRANCH_TAG"
  buildah push "$tls" "$IMAGE_REPOSITORY:$BRANCH_TAG" "docker://$IMAGE_REPOSITORY:$BRANCH_TAG"
fi
echo "CODEFLOW_DIGEST=$(cat "$work/digest")"
`,
  },
};

/** The build steps a plan has, in order. */
export function buildStepsOf(
  plan: Pick<BuildPlan, 'preprocessing'>,
): BuildStep[] {
  return plan.preprocessing
    ? ['fetch', 'preprocess', 'build', 'image', 'push']
    : ['fetch', 'build', 'image', 'push'];
}

/**
 * The Dockerfile of the build step: the build image, the numeric non-root user, the repository
 * copied in, each command of the build script an exec-form RUN; its result (the repository as
 * the build left it) is exported as the context of the image step.
 */
export function buildStepDockerfile(
  plan: Pick<BuildPlan, 'buildImage' | 'buildScript'>,
): string {
  return `${renderDockerfile([
    { kind: 'comment', text: 'the build step of a codeflow run; generated' },
    { kind: 'FROM', image: plan.buildImage.image },
    { kind: 'USER', user: RUNTIME_USER },
    { kind: 'WORKDIR', path: '/src' },
    { kind: 'COPY', chown: RUNTIME_USER, sources: ['.'], destination: '/src/' },
    ...plan.buildScript.map(argv => ({ kind: 'RUN' as const, argv })),
  ])}FROM scratch\nCOPY --from=0 /src/ /\n`;
}

const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,254}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** The run parameters of a plan's stages (environment variables of every stage). */
export function buildParameters(
  plan: BuildPlan,
  options: { registryInsecure?: boolean } = {},
): Record<string, string> {
  for (const image of [plan.image.repository, plan.preprocessing?.image]) {
    if (image !== undefined && !IMAGE_REFERENCE.test(image)) {
      throw new Error(`${image} is no image reference`);
    }
  }
  if (plan.image.branchTag && !TAG.test(plan.image.branchTag)) {
    throw new Error(`${plan.image.branchTag} is no image tag`);
  }
  const args = Object.entries(plan.buildArgs).filter(
    ([name]) => name !== BUILD_ARGS.revision,
  );
  for (const [name, value] of args) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /[\r\n]/.test(value)) {
      throw new Error(
        `the build argument ${name} cannot be passed: a name of letters, digits and _, a value on one line`,
      );
    }
  }
  return {
    CODEFLOW_ID: plan.codeflowId,
    GIT_URL: plan.repository.url,
    GIT_REF: `refs/${plan.ref.kind === 'tag' ? 'tags' : 'heads'}/${
      plan.ref.name
    }`,
    COMMIT_SHA: plan.commit ?? '',
    BUILD_NUMBER: String(plan.buildNumber),
    IMAGE_REPOSITORY: plan.image.repository,
    BRANCH_TAG: plan.image.branchTag ?? '',
    REGISTRY_INSECURE: options.registryInsecure ? 'true' : 'false',
    BUILD_DOCKERFILE: base64(buildStepDockerfile(plan)),
    IMAGE_DOCKERFILE: base64(plan.dockerfile),
    BUILD_ARGS: base64(
      args.map(([name, value]) => `${name}=${value}\n`).join(''),
    ),
    ...(plan.preprocessing
      ? {
          PREPROCESS_IMAGE: plan.preprocessing.image,
          PREPROCESS_DOCKERFILE: base64(plan.preprocessing.dockerfile),
        }
      : {}),
  };
}

/** The plan's stages for a builder: named after the build steps, one `sh` script each. */
export function buildStages(
  plan: BuildPlan,
  flavour: BuilderFlavour,
): ExecutorStage[] {
  return buildStepsOf(plan).map(step => ({
    name: step,
    commands: [
      ['sh', '-euc', `${FOLDERS[flavour]}\n${SCRIPTS[flavour][step].trim()}\n`],
    ],
  }));
}
