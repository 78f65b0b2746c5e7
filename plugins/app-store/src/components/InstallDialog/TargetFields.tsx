import { useEffect, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { appStoreApiRef } from '../../api/AppStoreClient';

/**
 * Where the user may install (`GET /targets`): the owners, and the chosen owner's placements
 * (cluster/namespace), the first of each chosen until the user picks another.
 */
export function useInstallTargets() {
  const api = useApi(appStoreApiRef);
  const targets = useAsync(() => api.targets(), [api]);
  const [owner, setOwner] = useState('');
  const [placement, setPlacement] = useState('');
  const owners = useMemo(
    () => [...new Set((targets.value?.items ?? []).map(t => t.owner))].sort(),
    [targets.value],
  );
  const placements = (targets.value?.items ?? [])
    .filter(t => t.owner === owner)
    .map(t => `${t.cluster}/${t.namespace}`);
  useEffect(() => {
    if (!owner && owners.length > 0) setOwner(owners[0]);
  }, [owner, owners]);
  useEffect(() => {
    if (!placements.includes(placement)) setPlacement(placements[0] ?? '');
  }, [placement, placements.join(',')]); // eslint-disable-line react-hooks/exhaustive-deps
  const [cluster, namespace] = placement.split('/');
  return {
    loading: targets.loading,
    error: targets.error,
    none: !!targets.value && targets.value.items.length === 0,
    owners,
    owner,
    setOwner,
    placements,
    placement,
    setPlacement,
    cluster: cluster ?? '',
    namespace: namespace ?? '',
  };
}

/** The owner and cluster/namespace selects, limited to the user's targets. */
export function TargetFields(props: {
  targets: ReturnType<typeof useInstallTargets>;
  errors: Record<string, string>;
}) {
  const { targets: t, errors } = props;
  const placementError = errors.cluster ?? errors.namespace;
  return (
    <>
      <TextField
        id="install-owner"
        InputLabelProps={{ shrink: true }}
        label="Owner"
        select
        fullWidth
        margin="dense"
        value={t.owners.includes(t.owner) ? t.owner : ''}
        onChange={e => t.setOwner(e.target.value)}
        error={!!errors.owner}
        helperText={
          errors.owner ?? 'the service or team the instance belongs to'
        }
      >
        {t.owners.map(o => (
          <MenuItem key={o} value={o}>
            {o}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        id="install-placement"
        InputLabelProps={{ shrink: true }}
        label="Cluster / namespace"
        select
        fullWidth
        margin="dense"
        value={t.placements.includes(t.placement) ? t.placement : ''}
        onChange={e => t.setPlacement(e.target.value)}
        error={!!placementError}
        helperText={
          placementError ?? "the placements the owner's binding covers"
        }
      >
        {t.placements.map(p => (
          <MenuItem key={p} value={p}>
            {p}
          </MenuItem>
        ))}
      </TextField>
    </>
  );
}
