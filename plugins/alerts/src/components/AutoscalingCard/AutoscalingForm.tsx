import { useState } from 'react';
import Button from '@material-ui/core/Button';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  AUTOSCALING_METRIC_INFO,
  AUTOSCALING_METRICS,
  AutoscalingSave,
  AutoscalingSettingsView,
  autoscalingSettingsSchema,
} from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';

const FIELDS = [
  'deployment',
  'metric',
  'target',
  'minReplicas',
  'maxReplicas',
] as const;
type Field = (typeof FIELDS)[number];

interface Draft {
  enabled: boolean;
  deployment: string;
  metric: string;
  target: string;
  minReplicas: string;
  maxReplicas: string;
}

function draftOf(
  settings: AutoscalingSettingsView | null,
  deployments: string[],
): Draft {
  return {
    enabled: settings?.enabled ?? false,
    deployment: settings?.deployment ?? deployments[0] ?? '',
    metric: settings?.metric ?? 'cpu',
    target: String(settings?.target ?? 70),
    minReplicas: String(settings?.minReplicas ?? 1),
    maxReplicas: String(settings?.maxReplicas ?? 5),
  };
}

/** An empty field stays a string, so the schema names it instead of reading 0. */
const numberOf = (text: string) => (text.trim() === '' ? text : Number(text));

/** The field a backend 400 names ("...: target: ..."), if any. */
function fieldOf(message: string): Field | undefined {
  return FIELDS.find(f => message.includes(`${f}:`));
}

export interface AutoscalingFormProps {
  settings: AutoscalingSettingsView | null;
  deployments: string[];
  onSave(save: AutoscalingSave): Promise<void>;
  /** reloads the card (after a 409, to edit the settings as they are now) */
  onReload(): void;
}

/** The settings of a service's autoscaling, checked field by field before they are sent. */
export function AutoscalingForm(props: AutoscalingFormProps) {
  const { settings, deployments, onSave, onReload } = props;
  const [draft, setDraft] = useState(() => draftOf(settings, deployments));
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [failure, setFailure] = useState<ContainerCloudApiError | Error>();
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  const set = (field: keyof Draft) => (value: string | boolean) => {
    setDraft(d => ({ ...d, [field]: value }));
    setSaved(false);
  };

  async function submit() {
    setFailure(undefined);
    const parsed = autoscalingSettingsSchema.safeParse({
      enabled: draft.enabled,
      deployment: draft.deployment,
      metric: draft.metric,
      target: numberOf(draft.target),
      minReplicas: numberOf(draft.minReplicas),
      maxReplicas: numberOf(draft.maxReplicas),
    });
    const found: Partial<Record<Field, string>> = {};
    for (const issue of parsed.success ? [] : parsed.error.issues) {
      const field = issue.path[0] as Field;
      found[field] ??= issue.message;
    }
    // the schema checks min against max only once every field parses: say it at once
    const [min, max] = [Number(draft.minReplicas), Number(draft.maxReplicas)];
    if (
      !found.maxReplicas &&
      draft.minReplicas &&
      draft.maxReplicas &&
      min > max
    ) {
      found.maxReplicas = 'maxReplicas is at least minReplicas';
    }
    if (!parsed.success || Object.keys(found).length > 0) {
      setErrors(found);
      return;
    }
    setErrors({});
    setSaving(true);
    try {
      await onSave({ ...parsed.data, version: settings?.version ?? 0 });
      setSaved(true);
    } catch (error) {
      const field =
        error instanceof ContainerCloudApiError && error.status === 400
          ? fieldOf(error.message)
          : undefined;
      if (field) setErrors({ [field]: (error as Error).message });
      else setFailure(error as Error);
    } finally {
      setSaving(false);
    }
  }

  const conflict =
    failure instanceof ContainerCloudApiError &&
    failure.status === 409 &&
    failure.current !== undefined;
  const numberField = (field: Field, label: string, helper: string) => (
    <TextField
      id={`autoscaling-${field}`}
      fullWidth
      label={label}
      type="number"
      value={draft[field]}
      onChange={e => set(field)(e.target.value)}
      error={Boolean(errors[field])}
      helperText={errors[field] ?? helper}
    />
  );
  // percent of the request for cpu and memory, the metric's own unit for the others
  const targetField = () => {
    const info =
      AUTOSCALING_METRIC_INFO[
        draft.metric as keyof typeof AUTOSCALING_METRIC_INFO
      ];
    return info && !info.percentOfRequest
      ? numberField(
          'target',
          `Target per replica (${info.unit})`,
          `${info.unit} per replica (the sum over all clusters, divided by it)`,
        )
      : numberField(
          'target',
          'Target per replica (%)',
          'percent of the request',
        );
  };

  return (
    <form
      aria-label="autoscaling settings"
      onSubmit={e => {
        e.preventDefault();
        submit();
      }}
    >
      <Grid container spacing={2}>
        <Grid item xs={12}>
          <FormControlLabel
            control={
              <Switch
                checked={draft.enabled}
                onChange={e => set('enabled')(e.target.checked)}
                color="primary"
              />
            }
            label={draft.enabled ? 'Autoscaling on' : 'Autoscaling off'}
          />
        </Grid>
        <Grid item xs={12} sm={6} md={4}>
          <TextField
            id="autoscaling-deployment"
            fullWidth
            select={deployments.length > 0}
            label="Deployment"
            value={draft.deployment}
            onChange={e => set('deployment')(e.target.value)}
            error={Boolean(errors.deployment)}
            helperText={
              errors.deployment ?? 'scaled in every cluster the service runs in'
            }
          >
            {deployments.map(d => (
              <MenuItem key={d} value={d}>
                {d}
              </MenuItem>
            ))}
          </TextField>
        </Grid>
        <Grid item xs={12} sm={6} md={4}>
          <TextField
            id="autoscaling-metric"
            fullWidth
            select
            label="Metric"
            value={draft.metric}
            onChange={e => set('metric')(e.target.value)}
            error={Boolean(errors.metric)}
            helperText={errors.metric ?? ' '}
          >
            {AUTOSCALING_METRICS.map(m => (
              <MenuItem key={m} value={m}>
                {AUTOSCALING_METRIC_INFO[m].title}
              </MenuItem>
            ))}
          </TextField>
        </Grid>
        <Grid item xs={12} sm={4} md={4}>
          {targetField()}
        </Grid>
        <Grid item xs={6} sm={4} md={2}>
          {numberField('minReplicas', 'Min replicas', 'all clusters')}
        </Grid>
        <Grid item xs={6} sm={4} md={2}>
          {numberField('maxReplicas', 'Max replicas', 'all clusters')}
        </Grid>
        {failure && (
          <Grid item xs={12}>
            <Typography role="alert" color="error">
              {failure.message}
            </Typography>
            {conflict && (
              <Button size="small" variant="outlined" onClick={onReload}>
                Load the current settings
              </Button>
            )}
          </Grid>
        )}
        <Grid item xs={12}>
          <Button
            type="submit"
            variant="contained"
            color="primary"
            disabled={saving}
          >
            {saving ? 'Saving…' : 'Save'}
          </Button>
          {saved && (
            <Typography
              component="span"
              variant="body2"
              style={{ marginLeft: 16 }}
            >
              Saved.
            </Typography>
          )}
          {settings && (
            <Typography variant="caption" display="block" color="textSecondary">
              Version {settings.version}, saved by {settings.updatedBy} at{' '}
              {new Date(settings.updatedAt).toLocaleString()}. The autoscaler
              acts on these settings in their name.
            </Typography>
          )}
        </Grid>
      </Grid>
    </form>
  );
}
