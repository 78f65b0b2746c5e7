import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import {
  Box,
  Button,
  Checkbox,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormHelperText,
  FormLabel,
  Typography,
} from '@material-ui/core';
import { servicesApiRef } from '../../api/ServicesClient';
import {
  type DeployTargetPickerUiOptions,
  type DeployTargetValue,
  ownerGroupRef,
  targetKey,
  targetsOf,
} from './deployTargets';

/**
 * A scaffolder field: the clusters and namespaces a new service may run in, for the owner group
 * chosen in the same form (`ui:options.ownerField`, default `owner`), from the services backend's
 * deploy targets (`GET /api/services/deploy-targets?owner=`). Several may be chosen; the value is
 * a list of `{cluster, namespace}`.
 */
export function ContainerCloudDeployTargetPicker(
  props: FieldExtensionComponentProps<
    DeployTargetValue[],
    DeployTargetPickerUiOptions
  >,
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
  const api = useApi(servicesApiRef);
  const ownerField = uiSchema?.['ui:options']?.ownerField ?? 'owner';
  const owner = ownerGroupRef(
    (formContext?.formData as Record<string, unknown> | undefined)?.[
      ownerField
    ],
  );
  const targets = useAsyncRetry(
    async () => (owner ? api.getDeployTargets(owner) : undefined),
    [api, owner],
  );
  const title = schema.title ?? 'Clusters and namespaces';
  const id = idSchema?.$id ?? 'container-cloud-deploy-targets';
  const chosen = new Set((formData ?? []).map(targetKey));

  if (!owner) {
    return (
      <FormControl margin="normal" error={!!rawErrors?.length}>
        <FormLabel>{title}</FormLabel>
        <FormHelperText>
          Choose the owner first: a new service runs where its owner group may.
        </FormHelperText>
      </FormControl>
    );
  }
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
          title="Could not load where your team may run services"
          error={targets.error}
        />
        <Button variant="outlined" onClick={targets.retry}>
          Retry
        </Button>
      </Box>
    );
  }
  const list = targets.value ? targetsOf(targets.value, owner) : [];
  if (list.length === 0) {
    return (
      <FormControl margin="normal" error>
        <FormLabel>{title}</FormLabel>
        <FormHelperText>
          Your team has no clusters: ask ops to grant it placements
          (containerCloud.binding.teamPlacements).
        </FormHelperText>
        {targets.value?.reason && (
          <FormHelperText>{targets.value.reason}</FormHelperText>
        )}
      </FormControl>
    );
  }
  // kept in the order the targets are listed; what is no target of the owner is dropped
  const toggle = (target: DeployTargetValue, on: boolean) =>
    onChange(
      list.filter(t =>
        targetKey(t) === targetKey(target) ? on : chosen.has(targetKey(t)),
      ),
    );
  return (
    <FormControl
      component="fieldset"
      margin="normal"
      required={required}
      error={!!rawErrors?.length}
    >
      <FormLabel component="legend">{title}</FormLabel>
      <FormGroup id={id}>
        {list.map(target => (
          <FormControlLabel
            key={targetKey(target)}
            label={`${target.cluster} / ${target.namespace}`}
            control={
              <Checkbox
                checked={chosen.has(targetKey(target))}
                disabled={disabled}
                onChange={e => toggle(target, e.target.checked)}
              />
            }
          />
        ))}
      </FormGroup>
      <FormHelperText>
        {schema.description ??
          `where ${owner} may run services (choose at least one)`}
      </FormHelperText>
      {rawErrors?.map(message => (
        <FormHelperText key={message}>{message}</FormHelperText>
      ))}
    </FormControl>
  );
}
