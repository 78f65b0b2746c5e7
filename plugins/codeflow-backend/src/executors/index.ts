export type {
  ExecutorLogChunk,
  ExecutorResult,
  ExecutorRun,
  ExecutorStage,
  ExecutorState,
  RunExecutor,
} from './types';
export { JenkinsClient, JenkinsError } from './jenkins/JenkinsClient';
export type { JenkinsConnection } from './jenkins/JenkinsClient';
export { JenkinsExecutor, RUN_ID_PARAMETER } from './jenkins/JenkinsExecutor';
export type { JenkinsHandle } from './jenkins/JenkinsExecutor';
export { jenkinsExecutorFromConfig } from './jenkins/config';
export {
  buildJob,
  buildJobName,
  BUILD_LABELS,
  stageContainerName,
} from './kubernetes/jobSpec';
export type { BuildJobSettings } from './kubernetes/jobSpec';
export {
  jobResult,
  KubernetesJobExecutor,
} from './kubernetes/KubernetesJobExecutor';
export type { KubernetesJobHandle } from './kubernetes/KubernetesJobExecutor';
export type {
  BuildCommit,
  BuildExecutor,
  BuildPlan,
  BuildResult,
  BuildSink,
  BuildStep,
} from './types';
export { BuildStepError, imageTagsOf } from './types';
export { createBuildExecutor } from './createBuildExecutor';
export { JenkinsBuildExecutor } from './jenkins/JenkinsBuildExecutor';
export { KubernetesBuildExecutor } from './kubernetes/KubernetesBuildExecutor';
export {
  DEFAULT_BUILDER_IMAGE,
  kubernetesBuildConfig,
} from './kubernetes/config';
export type { KubernetesBuildConfig } from './kubernetes/config';
export {
  buildParameters,
  buildStages,
  buildStepDockerfile,
  buildStepsOf,
} from './buildStages';
export type { BuilderFlavour } from './buildStages';
export { BuildCancelledError, followBuild } from './followBuild';
export type { FollowedRun, FollowOptions } from './followBuild';
