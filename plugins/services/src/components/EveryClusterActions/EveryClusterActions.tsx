import { useMemo, useState } from 'react';
import {
  Box,
  Button,
  Card,
  CardContent,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  List,
  ListItem,
  ListItemText,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { StatusError, StatusOK } from '@backstage/core-components';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import type { ClusterServiceView } from '@internal/plugin-container-cloud-common';
import {
  ClusterOutcome,
  everyClusterApiRef,
  EveryClusterOperation,
} from '../../api/EveryClusterClient';
import { SelectField } from '../SelectField';

type Kind = EveryClusterOperation['operation'];
const TITLES: Record<Kind, string> = {
  scale: 'Scale in every cluster',
  restart: 'Restart in every cluster',
  upgrade: 'Upgrade in every cluster',
};

/**
 * Runs one operation on a Deployment in every cluster that has it, and shows, cluster by cluster,
 * what happened: a cluster that fails does not stop the others, and is named.
 */
export function EveryClusterActions(props: {
  entity: CompoundEntityRef;
  clusters: ClusterServiceView[];
  /** called after a run, so the page reloads */
  onDone(): void;
}) {
  const { entity, clusters, onDone } = props;
  const api = useApi(everyClusterApiRef);
  // Deployments by namespace/name, with the clusters that run each
  const deployments = useMemo(() => {
    const byKey = new Map<
      string,
      {
        namespace: string;
        name: string;
        clusters: string[];
        /** the version loaded in each cluster: every write is conditional on it */
        resourceVersions: Record<string, string>;
        /** the spec's generation loaded in each cluster: a status-only change is no conflict */
        generations: Record<string, number | undefined>;
        containers: string[];
        replicas: number;
      }
    >();
    for (const view of clusters) {
      for (const d of view.deployments) {
        const key = `${d.namespace}/${d.name}`;
        const entry = byKey.get(key) ?? {
          namespace: d.namespace,
          name: d.name,
          clusters: [],
          resourceVersions: {},
          generations: {},
          containers: d.images.map(i => i.container),
          replicas: d.replicas.desired,
        };
        entry.clusters.push(view.cluster);
        entry.resourceVersions[view.cluster] = d.resourceVersion;
        entry.generations[view.cluster] = d.generation;
        byKey.set(key, entry);
      }
    }
    return [...byKey.values()].filter(d => d.clusters.length > 1);
  }, [clusters]);

  const [kind, setKind] = useState<Kind>();
  const [key, setKey] = useState<string>();
  const [replicas, setReplicas] = useState('');
  const [container, setContainer] = useState('');
  const [image, setImage] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<ClusterOutcome[]>();
  const [error, setError] = useState<string>();

  if (deployments.length === 0) return null;
  const chosen =
    deployments.find(d => `${d.namespace}/${d.name}` === key) ?? deployments[0];

  function open(next: Kind) {
    setKind(next);
    setOutcomes(undefined);
    setError(undefined);
    setReplicas(String(chosen.replicas));
    setContainer(chosen.containers[0] ?? '');
    setImage('');
  }

  let operation: EveryClusterOperation | undefined;
  if (kind === 'scale' && /^[0-9]+$/.test(replicas)) {
    operation = { operation: 'scale', replicas: Number(replicas) };
  } else if (kind === 'restart') {
    operation = { operation: 'restart' };
  } else if (kind === 'upgrade' && container && image.trim()) {
    operation = { operation: 'upgrade', container, image: image.trim() };
  }

  async function run() {
    if (!operation) return;
    setBusy(true);
    setError(undefined);
    try {
      setOutcomes(
        await api.run(
          entity,
          chosen.clusters.map(cluster => ({
            cluster,
            namespace: chosen.namespace,
            deployment: chosen.name,
            resourceVersion: chosen.resourceVersions[cluster],
            generation: chosen.generations[cluster],
          })),
          operation,
        ),
      );
      onDone();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card>
      <CardContent>
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          <Typography variant="subtitle1" style={{ flexGrow: 1 }}>
            Every cluster: {chosen.name} runs in {chosen.clusters.join(', ')}
          </Typography>
          {(['scale', 'restart', 'upgrade'] as Kind[]).map(k => (
            <Button
              key={k}
              size="small"
              variant="outlined"
              onClick={() => open(k)}
            >
              {k} everywhere
            </Button>
          ))}
        </Box>
      </CardContent>
      {kind && (
        <Dialog open onClose={() => setKind(undefined)} fullWidth maxWidth="sm">
          <DialogTitle>{TITLES[kind]}</DialogTitle>
          <DialogContent>
            {deployments.length > 1 && (
              <TextField
                select
                fullWidth
                margin="normal"
                id="every-cluster-deployment"
                label="Deployment"
                value={`${chosen.namespace}/${chosen.name}`}
                onChange={e => setKey(e.target.value)}
              >
                {deployments.map(d => (
                  <MenuItem
                    key={`${d.namespace}/${d.name}`}
                    value={`${d.namespace}/${d.name}`}
                  >
                    {d.namespace}/{d.name}
                  </MenuItem>
                ))}
              </TextField>
            )}
            {kind === 'scale' && (
              <TextField
                fullWidth
                margin="normal"
                id="every-cluster-replicas"
                label="Replicas in each cluster"
                type="number"
                value={replicas}
                onChange={e => setReplicas(e.target.value)}
              />
            )}
            {kind === 'restart' && (
              <Typography>
                Every container of {chosen.name} is replaced in{' '}
                {chosen.clusters.join(', ')}.
              </Typography>
            )}
            {kind === 'upgrade' && (
              <>
                <SelectField
                  fullWidth
                  margin="normal"
                  id="every-cluster-container"
                  label="Container"
                  value={container}
                  options={chosen.containers}
                  onChange={setContainer}
                />
                <TextField
                  fullWidth
                  margin="normal"
                  id="every-cluster-image"
                  label="Image"
                  placeholder="registry.example.com/team/app:1.2.3"
                  value={image}
                  onChange={e => setImage(e.target.value)}
                />
              </>
            )}
            {error && <Alert severity="error">{error}</Alert>}
            {outcomes && (
              <List dense aria-label="outcome per cluster">
                {outcomes.map(o => (
                  <ListItem key={o.cluster}>
                    <ListItemText
                      primary={
                        o.ok ? (
                          <StatusOK>{o.cluster}: done</StatusOK>
                        ) : (
                          <StatusError>{o.cluster}: failed</StatusError>
                        )
                      }
                      secondary={o.ok ? undefined : o.error.message}
                    />
                  </ListItem>
                ))}
              </List>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setKind(undefined)}>Close</Button>
            <Button
              color="primary"
              variant="contained"
              disabled={!operation || busy}
              onClick={run}
            >
              {busy ? 'Running…' : `Run in ${chosen.clusters.length} clusters`}
            </Button>
          </DialogActions>
        </Dialog>
      )}
    </Card>
  );
}
