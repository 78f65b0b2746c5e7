import { buildStages, buildStepsOf, buildParameters } from '../buildStages';
import { followBuild, FollowOptions } from '../followBuild';
import type {
  BuildExecutor,
  BuildPlan,
  BuildResult,
  BuildSink,
} from '../types';
import { stageContainerName } from './jobSpec';
import type { KubernetesJobExecutor } from './KubernetesJobExecutor';

/**
 * Builds a plan as a Kubernetes Job: one container per build step in the rootless builder image
 * (git to fetch into the code cache claim at /cache, BuildKit's `buildctl-daemonless.sh` to build,
 * assemble and push; see ../buildStages); the Job's log is cut into the steps at the
 * `== s<index>-<step> ==` lines the Job executor writes before each container's log.
 */
export class KubernetesBuildExecutor implements BuildExecutor {
  readonly id = 'kubernetes' as const;

  constructor(
    private readonly jobs: KubernetesJobExecutor,
    private readonly options: FollowOptions & {
      registryInsecure?: boolean;
    } = {},
  ) {}

  async build(plan: BuildPlan, sink: BuildSink): Promise<BuildResult> {
    const steps = buildStepsOf(plan);
    const markers = steps.map(
      (step, i) => `== ${stageContainerName(i, step)} ==`,
    );
    const handle = await this.jobs.start({
      runId: plan.runId,
      codeflowId: plan.codeflowId,
      stages: buildStages(plan, 'buildkit'),
      parameters: buildParameters(plan, {
        registryInsecure: this.options.registryInsecure,
      }),
    });
    return followBuild(
      plan,
      steps,
      {
        executor: `the Kubernetes Job ${handle.namespace}/${handle.job}`,
        logs: offset => this.jobs.logs(handle, offset),
        result: () => this.jobs.result(handle),
        cancel: () => this.jobs.cancel(handle),
        stageMarker: line => {
          const index = markers.indexOf(line);
          return index >= 0 ? index : undefined;
        },
      },
      sink,
      this.options,
    );
  }
}
