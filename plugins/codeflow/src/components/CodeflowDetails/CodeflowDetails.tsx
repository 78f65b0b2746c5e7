import { useEffect, useState } from 'react';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Tab,
  Tabs,
  Typography,
} from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { CodeflowView } from '@internal/plugin-container-cloud-common';
import { codeflowApiRef } from '../../api/CodeflowClient';
import { CodeflowPermissions, useRunsSignal } from '../../hooks';
import { DockerfileView } from '../DockerfileView';
import { RunDialog } from '../RunDialog';
import { RunHistory } from '../RunHistory';
import { RunView } from '../RunView';
import { WebhooksPanel } from '../WebhooksPanel';

type View = 'runs' | 'dockerfile' | 'webhooks';

/** One codeflow: Run, Edit and Delete, and its runs, Dockerfile and webhooks in tabs. */
export function CodeflowDetails(props: {
  entity: CompoundEntityRef;
  codeflow: CodeflowView;
  can: CodeflowPermissions;
  onEdit(): void;
  onDeleted(): void;
  /** a run of this codeflow started or changed status (the list's last run shows it too) */
  onRunsChanged?(): void;
  onClose(): void;
}) {
  const { entity, codeflow, can, onEdit, onDeleted, onRunsChanged, onClose } =
    props;
  const api = useApi(codeflowApiRef);
  const [view, setView] = useState<View>('runs');
  const [running, setRunning] = useState(false);
  const [openRun, setOpenRun] = useState<string>();
  const [error, setError] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  // each change of the runs (a signal, or a run started here) reads them again; counted, so a
  // started run refreshes the history whether or not signals reach this page
  const [changes, setChanges] = useState(0);
  const signal = useRunsSignal(codeflow.id);
  useEffect(() => {
    if (signal) setChanges(n => n + 1);
  }, [signal]);
  const refresh = changes || undefined;

  async function remove() {
    setConfirmDelete(false);
    setError(undefined);
    try {
      await api.deleteCodeflow(entity, codeflow.id, codeflow.version);
      onDeleted();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  let noRun: string | undefined;
  if (!codeflow.triggers.manual) {
    noRun = 'This codeflow runs on pushes only (its Run button trigger is off)';
  } else if (!can.run) {
    noRun = 'Only the service’s owners may run its codeflows';
  }

  return (
    <InfoCard
      title={`Codeflow ${codeflow.name}`}
      subheader={`${codeflow.repositoryUrl} · ${codeflow.ref.kind} ${codeflow.ref.pattern} · version ${codeflow.version}, changed by ${codeflow.updatedBy}`}
      action={
        <Box display="flex" style={{ gap: 8 }}>
          <Button
            variant="contained"
            color="primary"
            disabled={Boolean(noRun)}
            title={noRun}
            onClick={() => setRunning(true)}
          >
            Run
          </Button>
          <Button variant="outlined" disabled={!can.edit} onClick={onEdit}>
            Edit
          </Button>
          <Button disabled={!can.edit} onClick={() => setConfirmDelete(true)}>
            Delete
          </Button>
          <Button onClick={onClose}>Close</Button>
        </Box>
      }
    >
      {error && <Alert severity="error">{error}</Alert>}
      <Tabs
        value={view}
        onChange={(_, v) => setView(v)}
        indicatorColor="primary"
      >
        <Tab value="runs" label="Runs" />
        <Tab value="dockerfile" label="Dockerfile" />
        <Tab value="webhooks" label="Webhooks" />
      </Tabs>
      <Box mt={2}>
        {view === 'runs' && (
          <>
            {openRun && (
              <Box mb={2}>
                <RunView
                  entity={entity}
                  codeflowId={codeflow.id}
                  runId={openRun}
                  can={can}
                  signal={refresh}
                  onStatusChange={() => {
                    setChanges(n => n + 1);
                    onRunsChanged?.();
                  }}
                  onClose={() => setOpenRun(undefined)}
                />
              </Box>
            )}
            <RunHistory
              entity={entity}
              codeflowId={codeflow.id}
              signal={refresh}
              onOpen={run => setOpenRun(run.id)}
            />
          </>
        )}
        {view === 'dockerfile' && (
          <DockerfileView
            entity={entity}
            codeflowId={codeflow.id}
            version={codeflow.version}
          />
        )}
        {view === 'webhooks' && (
          <WebhooksPanel
            entity={entity}
            codeflow={codeflow}
            canManage={can.manageWebhook}
          />
        )}
      </Box>
      <Dialog open={confirmDelete} onClose={() => setConfirmDelete(false)}>
        <DialogTitle>Delete codeflow {codeflow.name}?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            It stops building; its runs stay in the history, and its name is
            free again.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirmDelete(false)}>Keep it</Button>
          <Button color="secondary" onClick={remove}>
            Delete codeflow
          </Button>
        </DialogActions>
      </Dialog>
      {running && (
        <RunDialog
          entity={entity}
          codeflow={codeflow}
          onClose={() => setRunning(false)}
          onStarted={run => {
            setRunning(false);
            setView('runs');
            setOpenRun(run.id);
            setChanges(n => n + 1);
            onRunsChanged?.();
          }}
        />
      )}
      <Typography variant="caption" color="textSecondary">
        Build image {codeflow.buildImage}; artifact {codeflow.artifactPath} →{' '}
        {codeflow.deployPath}; port {codeflow.port}.
      </Typography>
    </InfoCard>
  );
}
