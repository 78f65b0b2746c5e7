import { usePermission } from '@backstage/plugin-permission-react';
import {
  codeflowCancelPermission,
  codeflowEditPermission,
  codeflowLogsReadPermission,
  codeflowRunPermission,
  codeflowWebhookSecretPermission,
} from '@internal/plugin-container-cloud-common';

/** What the signed-in user may do with a service's codeflows (the server checks again). */
export interface CodeflowPermissions {
  loading: boolean;
  edit: boolean;
  run: boolean;
  cancel: boolean;
  readLogs: boolean;
  manageWebhook: boolean;
}

/** The codeflow permissions on the service `entityRef` (e.g. component:default/payments-api). */
export function useCodeflowPermissions(entityRef: string): CodeflowPermissions {
  const edit = usePermission({
    permission: codeflowEditPermission,
    resourceRef: entityRef,
  });
  const run = usePermission({
    permission: codeflowRunPermission,
    resourceRef: entityRef,
  });
  const cancel = usePermission({
    permission: codeflowCancelPermission,
    resourceRef: entityRef,
  });
  const readLogs = usePermission({
    permission: codeflowLogsReadPermission,
    resourceRef: entityRef,
  });
  const manageWebhook = usePermission({
    permission: codeflowWebhookSecretPermission,
    resourceRef: entityRef,
  });
  return {
    loading:
      edit.loading ||
      run.loading ||
      cancel.loading ||
      readLogs.loading ||
      manageWebhook.loading,
    edit: edit.allowed,
    run: run.allowed,
    cancel: cancel.allowed,
    readLogs: readLogs.allowed,
    manageWebhook: manageWebhook.allowed,
  };
}
