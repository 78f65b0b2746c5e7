import { useEffect, useState } from 'react';
import {
  Box,
  List,
  ListItem,
  ListItemText,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import type { DeploymentView } from '@internal/plugin-container-cloud-common';
import { CodeEditor } from '@internal/plugin-container-cloud-react';

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

/**
 * The configuration of a Deployment's container: env vars, CPU and memory limits, probes and the
 * grace period, starting from what it has now. Reports the edit as it changes.
 */
export function ConfigForm(props: {
  deployment: DeploymentView;
  container: string;
  onContainer(container: string): void;
  onChange(change: ConfigEdit): void;
}) {
  const { deployment, container, onContainer, onChange } = props;
  const config = deployment.config.containers.find(
    c => c.container === container,
  );
  const secretEnv = config?.secretEnv ?? [];
  const otherEnvFrom = (config?.envFrom ?? []).filter(
    name => !secretEnv.some(e => e.name === name),
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

  const change: ConfigEdit = {
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
    terminationGracePeriodSeconds: grace.trim() ? Number(grace) : undefined,
  };
  const key = JSON.stringify(change);
  useEffect(() => {
    onChange(JSON.parse(key));
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <>
      {deployment.config.containers.length > 1 && (
        <TextField
          select
          fullWidth
          margin="dense"
          label="Container"
          value={container}
          onChange={e => onContainer(e.target.value)}
        >
          {deployment.config.containers.map(c => (
            <MenuItem key={c.container} value={c.container}>
              {c.container}
            </MenuItem>
          ))}
        </TextField>
      )}
      <CodeEditor
        minLines={4}
        id="container-cloud-config-env"
        label="Environment variables (NAME=value, one per line)"
        value={envText}
        onChange={setEnvText}
        helperText={
          otherEnvFrom.length
            ? `kept as they are (from secrets or config maps): ${otherEnvFrom.join(
                ', ',
              )}`
            : undefined
        }
      />
      {secretEnv.length > 0 && (
        <Box mt={1}>
          <Typography variant="caption" color="textSecondary" component="p">
            Read from Secrets (kept as they are; the values are never shown)
          </Typography>
          <List dense aria-label="Variables from Secrets">
            {secretEnv.map(e => (
              <ListItem key={e.name} disableGutters>
                <ListItemText
                  primary={e.name}
                  secondary={`from Secret ${e.secret}/${e.key}`}
                />
              </ListItem>
            ))}
          </List>
        </Box>
      )}
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
}
