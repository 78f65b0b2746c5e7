import { useState } from 'react';
import type { Entity } from '@backstage/catalog-model';
import { ImageTagPicker } from '../ImageTagPicker';
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

/** What a dialog asks the page to do; the page runs it and reports the outcome. */
export type DeploymentAction =
  | { kind: 'scale'; replicas: number }
  | { kind: 'restart' }
  | { kind: 'upgrade'; container: string; image: string }
  | { kind: 'rollback'; revision: number }
  | { kind: 'config'; change: ConfigEdit }
  | { kind: 'sync'; fromCluster: string };

/** The config editor's output, in the backend's `config` body shape (minus the target). */
export interface ConfigEdit {
  container: string;
  env: { name: string; value: string }[];
  resources: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
  readinessProbe: { path: string; port: number } | null;
  livenessProbe: { path: string; port: number } | null;
  terminationGracePeriodSeconds?: number;
}

/** `NAME=value` lines → env vars; the backend checks the names. */
export function parseEnvLines(text: string) {
  return text
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !line.startsWith('#'))
    .map(line => {
      const eq = line.indexOf('=');
      return eq < 0
        ? { name: line, value: '' }
        : { name: line.slice(0, eq).trim(), value: line.slice(eq + 1) };
    });
}

function probeFrom(path: string, port: string) {
  if (!path.trim() && !port.trim()) return null;
  return { path: path.trim(), port: Number(port) };
}

function compact<T extends object>(value: T): T | undefined {
  const entries = Object.entries(value).filter(([, v]) => v);
  return entries.length ? (Object.fromEntries(entries) as T) : undefined;
}

/** A short labelled input of the config editor; its id comes from its label. */
function SmallField(props: {
  label: string;
  value: string;
  placeholder?: string;
  onChange(value: string): void;
}) {
  return (
    <TextField
      id={`container-cloud-${props.label
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')}`}
      margin="dense"
      label={props.label}
      placeholder={props.placeholder}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
    />
  );
}

type DialogProps = {
  /** the service; with it the upgrade dialog offers the registry's tags */
  entity?: Entity;
  deployment: DeploymentView;
  cluster: string;
  /** the other clusters running this Deployment: sources for a sync */
  otherClusters: string[];
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
  const [fromCluster, setFromCluster] = useState(props.otherClusters[0] ?? '');
  const config = deployment.config.containers.find(
    c => c.container === container,
  );
  const [envText, setEnvText] = useState(
    (config?.env ?? []).map(e => `${e.name}=${e.value}`).join('\n'),
  );
  const [limitsCpu, setLimitsCpu] = useState(
    config?.resources.limits?.cpu ?? '',
  );
  const [limitsMemory, setLimitsMemory] = useState(
    config?.resources.limits?.memory ?? '',
  );
  const [readyPath, setReadyPath] = useState(
    config?.readinessProbe?.path ?? '',
  );
  const [readyPort, setReadyPort] = useState(
    String(config?.readinessProbe?.port ?? ''),
  );
  const [livePath, setLivePath] = useState(config?.livenessProbe?.path ?? '');
  const [livePort, setLivePort] = useState(
    String(config?.livenessProbe?.port ?? ''),
  );
  const [grace, setGrace] = useState(
    String(deployment.config.terminationGracePeriodSeconds ?? ''),
  );

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
      action = {
        kind,
        change: {
          container,
          env: parseEnvLines(envText),
          resources: {
            ...config?.resources,
            limits: compact({
              cpu: limitsCpu.trim(),
              memory: limitsMemory.trim(),
            }),
          },
          readinessProbe: probeFrom(readyPath, readyPort),
          livenessProbe: probeFrom(livePath, livePort),
          terminationGracePeriodSeconds: grace.trim()
            ? Number(grace)
            : undefined,
        },
      };
      content = (
        <>
          {deployment.config.containers.length > 1 && (
            <TextField
              select
              fullWidth
              margin="dense"
              label="Container"
              value={container}
              onChange={e => setContainer(e.target.value)}
            >
              {deployment.config.containers.map(c => (
                <MenuItem key={c.container} value={c.container}>
                  {c.container}
                </MenuItem>
              ))}
            </TextField>
          )}
          <TextField
            fullWidth
            multiline
            minRows={4}
            margin="dense"
            id="container-cloud-config-env"
            label="Environment variables (NAME=value, one per line)"
            value={envText}
            onChange={e => setEnvText(e.target.value)}
            helperText={
              config?.envFrom.length
                ? `kept as they are (from secrets or config maps): ${config.envFrom.join(
                    ', ',
                  )}`
                : undefined
            }
          />
          <Box display="flex" style={{ gap: 8 }}>
            <SmallField
              label="CPU limit"
              placeholder="500m"
              value={limitsCpu}
              onChange={setLimitsCpu}
            />
            <SmallField
              label="Memory limit"
              placeholder="512Mi"
              value={limitsMemory}
              onChange={setLimitsMemory}
            />
            <SmallField
              label="Graceful termination (s)"
              value={grace}
              onChange={setGrace}
            />
          </Box>
          <Box display="flex" style={{ gap: 8 }}>
            <SmallField
              label="Readiness path"
              placeholder="/ready"
              value={readyPath}
              onChange={setReadyPath}
            />
            <SmallField
              label="Readiness port"
              value={readyPort}
              onChange={setReadyPort}
            />
            <SmallField
              label="Liveness path"
              placeholder="/health"
              value={livePath}
              onChange={setLivePath}
            />
            <SmallField
              label="Liveness port"
              value={livePort}
              onChange={setLivePort}
            />
          </Box>
        </>
      );
      break;
    case 'sync':
      action = fromCluster ? { kind, fromCluster } : undefined;
      content = props.otherClusters.length ? (
        <>
          <TextField
            select
            fullWidth
            label="Copy images and configuration from"
            value={fromCluster}
            onChange={e => setFromCluster(e.target.value)}
          >
            {props.otherClusters.map(c => (
              <MenuItem key={c} value={c}>
                {c}
              </MenuItem>
            ))}
          </TextField>
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
