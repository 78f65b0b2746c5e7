import { appStoreInstallAction } from './appStoreInstallAction';
import { appStoreUninstallAction } from './appStoreUninstallAction';
import { catalogWaitAction } from './catalogWaitAction';
import { checkNewServiceAction } from './checkNewServiceAction';
import { codeflowCreateAction } from './codeflowCreateAction';
import { codeflowRunAction } from './codeflowRunAction';
import { createConfigFilesAction } from './createConfigFilesAction';
import { createDomainAction } from './createDomainAction';
import { createServiceAction } from './createServiceAction';
import { createVolumeAction } from './createVolumeAction';
import { syncTestEnvironmentsAction } from './syncTestEnvironmentsAction';
import type { SuiteAction } from './SuiteAction';

/** Every operation offered as an action, the one list the scaffolder and the registry read. */
export const suiteActions: SuiteAction<any, any>[] = [
  checkNewServiceAction,
  createServiceAction,
  createDomainAction,
  createVolumeAction,
  createConfigFilesAction,
  syncTestEnvironmentsAction,
  appStoreInstallAction,
  appStoreUninstallAction,
  codeflowCreateAction,
  codeflowRunAction,
  catalogWaitAction,
];

export {
  appStoreInstallAction,
  appStoreUninstallAction,
  catalogWaitAction,
  checkNewServiceAction,
  codeflowCreateAction,
  codeflowRunAction,
  createConfigFilesAction,
  createDomainAction,
  createServiceAction,
  createVolumeAction,
  syncTestEnvironmentsAction,
};
export type { SuiteAction, SuiteActionContext } from './SuiteAction';
export { createCodeflowRunAction } from './codeflowRunAction';
