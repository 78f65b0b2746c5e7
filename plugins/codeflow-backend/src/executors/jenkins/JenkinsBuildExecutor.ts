import { buildStages, buildStepsOf, buildParameters } from '../buildStages';
import { followBuild, FollowOptions } from '../followBuild';
import type {
  BuildExecutor,
  BuildPlan,
  BuildResult,
  BuildSink,
  BuildStep,
} from '../types';
import type { JenkinsExecutor } from './JenkinsExecutor';

/** `[Pipeline] { (<stage>)`: the line Jenkins writes to the console as a pipeline stage begins. */
const STAGE_STARTS = /^\[Pipeline\] \{ \((.+)\)$/;
/** what Jenkins writes right after entering a stage it skips after an earlier failure */
const STAGE_SKIPPED = /^Stage "(.+)" skipped due to earlier failure\(s\)$/;

/**
 * Builds a plan on Jenkins: the codeflow's pipeline job gets one stage per build step, each a
 * `sh` step running our script on the agent (git, and buildah to build and push; see
 * ../buildStages); the build is followed through its console text, cut into the steps at the
 * stage lines Jenkins writes (`[Pipeline] { (fetch)`).
 */
export class JenkinsBuildExecutor implements BuildExecutor {
  readonly id = 'jenkins' as const;

  constructor(
    private readonly jenkins: JenkinsExecutor,
    private readonly options: FollowOptions & {
      registryInsecure?: boolean;
    } = {},
  ) {}

  async build(plan: BuildPlan, sink: BuildSink): Promise<BuildResult> {
    const steps = buildStepsOf(plan);
    const stepIndex = (name: string | undefined) => {
      const index = name ? steps.indexOf(name as BuildStep) : -1;
      return index >= 0 ? index : undefined;
    };
    const handle = await this.jenkins.start({
      runId: plan.runId,
      codeflowId: plan.codeflowId,
      stages: buildStages(plan, 'buildah'),
      parameters: buildParameters(plan, {
        registryInsecure: this.options.registryInsecure,
      }),
    });
    return followBuild(
      plan,
      steps,
      {
        executor: `Jenkins (${handle.job} #${handle.build})`,
        logs: offset => this.jenkins.logs(handle, offset),
        result: () => this.jenkins.result(handle),
        cancel: () => this.jenkins.cancel(handle),
        stageMarker: line => stepIndex(STAGE_STARTS.exec(line)?.[1]),
        stageSkipped: line => stepIndex(STAGE_SKIPPED.exec(line)?.[1]),
      },
      sink,
      this.options,
    );
  }
}
