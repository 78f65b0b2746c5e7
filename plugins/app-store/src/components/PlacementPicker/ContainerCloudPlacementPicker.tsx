import { useEffect } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import {
  Box,
  Button,
  FormControl,
  FormHelperText,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { appStoreApiRef } from '../../api/AppStoreClient';
import {
  normalizedOwner,
  placementKey,
  placementsOf,
  type PlacementPickerUiOptions,
  type PlacementValue,
} from './placements';

/**
 * A scaffolder field: the (cluster, namespace) placements the user may install an app store
 * instance into for the owner chosen in another parameter (`ui:options.ownerParameter`), from the
 * app store backend's targets (`GET /api/app-store/targets`). A placement open to any namespace
 * of a cluster asks for the namespace's name.
 */
export function ContainerCloudPlacementPicker(
  props: FieldExtensionComponentProps<PlacementValue, PlacementPickerUiOptions>,
) {
  const {
    formData,
    onChange,
    uiSchema,
    formContext,
    rawErrors,
    required,
    schema,
    idSchema,
    disabled,
  } = props;
  const api = useApi(appStoreApiRef);
  const targets = useAsyncRetry(() => api.targets(), [api]);
  const ownerParameter = uiSchema?.['ui:options']?.ownerParameter ?? 'owner';
  const owner = (
    formContext?.formData as Record<string, unknown> | undefined
  )?.[ownerParameter] as string | undefined;
  const placements = targets.value ? placementsOf(targets.value, owner) : [];
  const chosen = placements.find(
    p =>
      p.cluster === formData?.cluster &&
      (p.namespace === formData?.namespace || p.namespace === '*'),
  );
  const keys = placements.map(placementKey).join(',');

  // the first placement until the person picks another; none when the owner has none
  useEffect(() => {
    if (!targets.value) return;
    if (chosen) return;
    const first = placements[0];
    onChange(
      first
        ? {
            cluster: first.cluster,
            namespace: first.namespace === '*' ? undefined : first.namespace,
          }
        : undefined,
    );
  }, [targets.value, keys]); // eslint-disable-line react-hooks/exhaustive-deps

  const title = schema.title ?? 'Cluster and namespace';
  const id = idSchema?.$id ?? 'container-cloud-placement';
  if (targets.loading) {
    return (
      <Box my={1}>
        <Typography variant="body2">{title}</Typography>
        <Progress />
      </Box>
    );
  }
  if (targets.error) {
    return (
      <Box my={1}>
        <Typography variant="body2">{title}</Typography>
        <ResponseErrorPanel
          title="Could not load where you may install"
          error={targets.error}
        />
        <Button variant="outlined" onClick={targets.retry}>
          Retry
        </Button>
      </Box>
    );
  }
  if (!normalizedOwner(owner)) {
    return (
      <FormControl margin="normal" error={!!rawErrors?.length}>
        <Typography variant="body2">{title}</Typography>
        <FormHelperText>
          Choose the owner first ({ownerParameter}): the placements are the
          owner's.
        </FormHelperText>
      </FormControl>
    );
  }
  if (placements.length === 0) {
    return (
      <FormControl margin="normal" error>
        <Typography variant="body2">{title}</Typography>
        <FormHelperText>
          {owner} has no cluster and namespace you may install into: its binding
          covers none (annotation container-cloud.io/placements), or it is not
          yours.
        </FormHelperText>
      </FormControl>
    );
  }
  const selected = chosen ? placementKey(chosen) : '';
  const anyNamespace = chosen?.namespace === '*';
  return (
    <FormControl
      fullWidth
      margin="normal"
      required={required}
      error={!!rawErrors?.length}
    >
      <TextField
        id={`${id}-placement`}
        select
        fullWidth
        label={title}
        required={required}
        disabled={disabled}
        value={selected}
        error={!!rawErrors?.length}
        onChange={e => {
          const p = placements.find(x => placementKey(x) === e.target.value);
          if (!p) return;
          onChange({
            cluster: p.cluster,
            namespace: p.namespace === '*' ? undefined : p.namespace,
          });
        }}
        helperText={
          schema.description ?? `the placements ${owner}'s binding covers`
        }
      >
        {placements.map(p => (
          <MenuItem key={placementKey(p)} value={placementKey(p)}>
            {p.namespace === '*'
              ? `${p.cluster} / any namespace`
              : `${p.cluster} / ${p.namespace}`}
          </MenuItem>
        ))}
      </TextField>
      {anyNamespace && (
        <TextField
          id={`${id}-namespace`}
          label="Namespace"
          required
          disabled={disabled}
          margin="dense"
          value={formData?.namespace ?? ''}
          onChange={e =>
            onChange({ cluster: chosen!.cluster, namespace: e.target.value })
          }
          helperText="any namespace of this cluster: lower-case letters, digits and dashes"
        />
      )}
      {rawErrors?.map(message => (
        <FormHelperText key={message}>{message}</FormHelperText>
      ))}
    </FormControl>
  );
}
