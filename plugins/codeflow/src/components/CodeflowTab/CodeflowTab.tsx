import { useState } from 'react';
import { Box, Button } from '@material-ui/core';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CodeflowView } from '@internal/plugin-container-cloud-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { codeflowApiRef } from '../../api/CodeflowClient';
import { useCodeflowPermissions } from '../../hooks';
import { CodeflowDetails } from '../CodeflowDetails';
import { CodeflowDialog } from '../CodeflowDialog';
import { CodeflowsTable } from '../CodeflowsTable';

/**
 * The Codeflow tab of a Component: its codeflows (how its code becomes an image and reaches its
 * clusters), one opened with its runs, live log, Dockerfile and webhooks; create and edit.
 */
export function CodeflowTab() {
  const { entity: catalogEntity } = useEntity();
  const entity = {
    kind: catalogEntity.kind.toLocaleLowerCase('en-US'),
    namespace: catalogEntity.metadata.namespace ?? 'default',
    name: catalogEntity.metadata.name,
  };
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(codeflowApiRef);
  const can = useCodeflowPermissions(entityRef);
  const list = useAsyncRetry(
    () => api.listCodeflows(entity),
    [api, entity.namespace, entity.name],
  );
  const [openId, setOpenId] = useState<string>();
  const [dialog, setDialog] = useState<'create' | 'edit'>();
  // runs started or changed in the open codeflow: the list's last runs read again
  const [runChanges, setRunChanges] = useState(0);

  if (list.loading && !list.value) return <Progress />;
  if (list.error) return <ResponseErrorPanel error={list.error} />;
  const codeflows = list.value?.items ?? [];
  const open = codeflows.find(c => c.id === openId);

  const createButton = (
    <Button
      variant="contained"
      color="primary"
      disabled={!can.edit}
      title={
        can.edit
          ? undefined
          : 'Only the service’s owners may create its codeflows'
      }
      onClick={() => setDialog('create')}
    >
      Create codeflow
    </Button>
  );

  function saved(codeflow: CodeflowView) {
    setDialog(undefined);
    setOpenId(codeflow.id);
    list.retry();
  }

  return (
    <Box>
      {codeflows.length === 0 ? (
        <EmptyState
          missing="content"
          title="No codeflow yet"
          description="A codeflow builds this service's code into an image from its git repository (no Dockerfile needed), pushes it, and rolls the service's clusters to it — on a button or on every push."
          action={createButton}
        />
      ) : (
        <>
          <Box display="flex" justifyContent="flex-end" mb={1}>
            {createButton}
          </Box>
          <CodeflowsTable
            entity={entity}
            codeflows={codeflows}
            refresh={runChanges || undefined}
            onOpen={c => setOpenId(c.id)}
          />
        </>
      )}
      {open && (
        <Box mt={2}>
          <CodeflowDetails
            key={open.id}
            entity={entity}
            codeflow={open}
            can={can}
            onEdit={() => setDialog('edit')}
            onDeleted={() => {
              setOpenId(undefined);
              list.retry();
            }}
            onRunsChanged={() => setRunChanges(n => n + 1)}
            onClose={() => setOpenId(undefined)}
          />
        </Box>
      )}
      {dialog && (
        <CodeflowDialog
          entity={entity}
          entityRef={entityRef}
          codeflow={dialog === 'edit' ? open : undefined}
          onClose={() => setDialog(undefined)}
          onSaved={saved}
        />
      )}
    </Box>
  );
}
