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
