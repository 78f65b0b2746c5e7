import { useState } from 'react';
import type { Entity } from '@backstage/catalog-model';
import { ImageTagPicker } from '../ImageTagPicker';
import { ConfigEdit, ConfigForm } from '../ConfigForm';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  TextField,
} from '@material-ui/core';
import type {
  DeploymentView,
  RevisionView,
} from '@internal/plugin-container-cloud-common';
import { SelectField } from '../SelectField';

/** What a dialog asks the page to do; the page runs it and reports the outcome. */
export type DeploymentAction =
  | { kind: 'scale'; replicas: number }
  | { kind: 'restart' }
  | { kind: 'upgrade'; container: string; image: string }
  | { kind: 'rollback'; revision: number }
  | { kind: 'config'; change: ConfigEdit }
  | {
      kind: 'sync';
      /** the source, at the version the page loaded (the backend refuses a source changed since) */
      from: SyncSource;
    };

/** A cluster that runs the same Deployment, with its `resourceVersion` as the page loaded it. */
export interface SyncSource {
  cluster: string;
  resourceVersion: string;
  /** the spec's generation the page loaded there */
  generation?: number;
}

type DialogProps = {
  /** the service; with it the upgrade dialog offers the registry's tags */
  entity?: Entity;
  deployment: DeploymentView;
  cluster: string;
  /** the other clusters running this Deployment: sources for a sync */
  otherClusters: SyncSource[];
  revisions: RevisionView[];
  busy: boolean;
  onClose(): void;
  onSubmit(action: DeploymentAction): void;
};

export function ActionDialog(
  props: DialogProps & { kind: DeploymentAction['kind'] },
) {
  const { deployment, cluster, busy, onClose, onSubmit, kind } = props;
  const [replicas, setReplicas] = useState(String(deployment.replicas.desired));
  const [container, setContainer] = useState(
    deployment.images[0]?.container ?? '',
  );
  const [image, setImage] = useState(deployment.images[0]?.image ?? '');
  const revisions = props.revisions.filter(
    r => r.deployment === deployment.name && r.revision !== deployment.revision,
  );
  const [revision, setRevision] = useState(revisions[0]?.revision ?? 0);
  const [fromCluster, setFromCluster] = useState(
    props.otherClusters[0]?.cluster ?? '',
  );
  const [configChange, setConfigChange] = useState<ConfigEdit>();

  const replicasValid = /^[0-9]+$/.test(replicas);
  let content: JSX.Element;
  let action: DeploymentAction | undefined;
  let running: string | undefined;
  switch (kind) {
    case 'scale':
      action = replicasValid ? { kind, replicas: Number(replicas) } : undefined;
      content = (
        <TextField
          fullWidth
          label="Replicas"
          type="number"
          inputProps={{ min: 0, 'aria-label': 'Replicas' }}
          value={replicas}
          error={!replicasValid}
          helperText={
            replicasValid
              ? `now ${deployment.replicas.desired}`
              : 'a whole number, 0 or more'
          }
          onChange={e => setReplicas(e.target.value)}
        />
      );
      break;
    case 'restart':
      action = { kind };
      content = (
        <>
          Every container of {deployment.name} in {cluster} is replaced, one
          batch at a time, following the Deployment's rolling-update settings.
        </>
      );
      break;
    case 'upgrade':
      running = deployment.images.find(i => i.container === container)?.image;
      action = image.trim()
        ? { kind, container, image: image.trim() }
        : undefined;
      content = (
        <>
          <TextField
            select
            fullWidth
            margin="normal"
            label="Container"
            value={container}
            onChange={e => {
              setContainer(e.target.value);
              setImage(
                deployment.images.find(i => i.container === e.target.value)
                  ?.image ?? '',
              );
            }}
          >
            {deployment.images.map(i => (
              <MenuItem key={i.container} value={i.container}>
                {i.container}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            fullWidth
            margin="normal"
            label="Image"
            placeholder="registry.example.com/team/app:1.2.3"
            value={image}
            onChange={e => setImage(e.target.value)}
          />
          {props.entity && running && (
            <ImageTagPicker
              entity={props.entity}
              image={running}
              value={image}
              onPick={setImage}
            />
          )}
        </>
      );
      break;
    case 'config':
      action = configChange ? { kind, change: configChange } : undefined;
      content = (
        <ConfigForm
          deployment={deployment}
          container={container}
          onContainer={setContainer}
          onChange={setConfigChange}
        />
      );
      break;
    case 'sync':
      {
        const from = props.otherClusters.find(c => c.cluster === fromCluster);
        action = from ? { kind, from } : undefined;
      }
      content = props.otherClusters.length ? (
        <>
          <SelectField
            fullWidth
            label="Copy images and configuration from"
            value={fromCluster}
            options={props.otherClusters.map(c => c.cluster)}
            onChange={setFromCluster}
          />
          <Box mt={2}>
            {deployment.name} in {cluster} gets the images, env vars, resources,
            probes and rollout settings of {fromCluster}; its replica count
            stays.
          </Box>
        </>
      ) : (
        <>No other cluster runs {deployment.name}.</>
      );
      break;
    default:
      action = revision ? { kind: 'rollback', revision } : undefined;
      content = revisions.length ? (
        <TextField
          select
          fullWidth
          label="Revision"
          value={revision}
          onChange={e => setRevision(Number(e.target.value))}
        >
          {revisions.map(r => (
            <MenuItem key={r.revision} value={r.revision}>
              #{r.revision}: {r.images.map(i => i.image).join(', ')}
              {r.createdAt
                ? ` (${new Date(r.createdAt).toLocaleString()})`
                : ''}
            </MenuItem>
          ))}
        </TextField>
      ) : (
        <>There is no earlier revision to roll back to.</>
      );
  }

  const titles = {
    scale: 'Scale',
    restart: 'Restart',
    upgrade: 'Upgrade',
    rollback: 'Roll back',
    config: 'Edit configuration of',
    sync: 'Sync',
  };
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>
        {titles[kind]} {deployment.name} in {cluster}
      </DialogTitle>
      <DialogContent>{content}</DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy || !action}
          onClick={() => action && onSubmit(action)}
        >
          {titles[kind]}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
