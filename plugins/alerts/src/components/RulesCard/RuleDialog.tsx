import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  ALERT_COMPARISONS,
  ALERT_SEVERITIES,
  AlertMetric,
  AlertRule,
  AlertRuleInput,
} from '@internal/plugin-container-cloud-common';

/** The form's text: every field as typed, turned into a rule on save. */
interface FormState {
  name: string;
  metric: string;
  expr: string;
  comparison: string;
  threshold: string;
  for: string;
  window: string;
  severity: string;
  container: string;
  pod: string;
  domain: string;
  labels: string;
  receivers: string;
  summary: string;
  description: string;
  enabled: boolean;
}

function initialState(rule?: AlertRule): FormState {
  return {
    name: rule?.name ?? '',
    metric: rule?.metric ?? 'cpu_cores',
    expr: rule?.expr ?? '',
    comparison: rule?.comparison ?? '>',
    threshold: rule ? String(rule.threshold) : '',
    for: rule?.for ?? '1m',
    window: rule?.window ?? '5m',
    severity: rule?.severity ?? 'warning',
    container: rule?.container ?? '',
    pod: rule?.pod ?? '',
    domain: rule?.domain ?? '',
    labels: Object.entries(rule?.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    receivers: (rule?.receivers ?? []).join(', '),
    summary: rule?.summary ?? '',
    description: rule?.description ?? '',
    enabled: rule?.enabled ?? true,
  };
}

/** The rule the form describes; the backend checks every field and names the wrong ones. */
function toRule(s: FormState): AlertRuleInput {
  const labels: Record<string, string> = {};
  for (const line of s.labels.split('\n')) {
    if (!line.trim()) continue;
    const at = line.indexOf('=');
    labels[(at < 0 ? line : line.slice(0, at)).trim()] =
      at < 0 ? '' : line.slice(at + 1).trim();
  }
  const optional = (v: string) => (v.trim() ? v.trim() : undefined);
  return {
    name: s.name,
    metric: s.metric as AlertRuleInput['metric'],
    expr: s.metric === 'promql' ? s.expr : undefined,
    comparison: s.comparison as AlertRuleInput['comparison'],
    // a number when it reads as one; else the text, for the backend to refuse under the field
    threshold: (s.threshold.trim() !== '' &&
    Number.isFinite(Number(s.threshold))
      ? Number(s.threshold)
      : s.threshold) as number,
    for: s.for,
    window: s.window,
    severity: s.severity as AlertRuleInput['severity'],
    container: optional(s.container),
    pod: optional(s.pod),
    domain: optional(s.domain),
    labels,
    receivers: s.receivers
      .split(',')
      .map(r => r.trim())
      .filter(Boolean),
    summary: s.summary,
    description: s.description,
    enabled: s.enabled,
  };
}

/** Create or edit one rule; the backend's refusals appear under the fields they name. */
export function RuleDialog(props: {
  open: boolean;
  rule?: AlertRule;
  metrics: AlertMetric[];
  containers: string[];
  /** problems by field ('' for the whole rule) from the last save */
  errors: Record<string, string>;
  saving: boolean;
  onCancel(): void;
  onSave(rule: AlertRuleInput): void;
}) {
  const [state, setState] = useState<FormState>(() => initialState(props.rule));
  const set = (field: keyof FormState) => (e: { target: { value: unknown } }) =>
    setState(s => ({ ...s, [field]: e.target.value as string }));
  const metric = props.metrics.find(m => m.id === state.metric);
  const field = (name: keyof FormState, label: string, extra: object = {}) => ({
    id: `rule-${name}`,
    label,
    value: state[name] as string,
    onChange: set(name),
    error: !!props.errors[name],
    helperText: props.errors[name],
    fullWidth: true,
    ...extra,
  });
  return (
    <Dialog open={props.open} onClose={props.onCancel} maxWidth="md" fullWidth>
      <DialogTitle>
        {props.rule ? `Edit ${props.rule.name}` : 'New alert rule'}
      </DialogTitle>
      <DialogContent>
        <Grid container spacing={2}>
          <Grid item xs={12} sm={6}>
            <TextField {...field('name', 'Name')} required />
          </Grid>
          <Grid item xs={12} sm={6}>
            <TextField {...field('metric', 'Metric')} select>
              {props.metrics.map(m => (
                <MenuItem key={m.id} value={m.id} disabled={!!m.unavailable}>
                  {m.title}
                  {m.unavailable ? ' (unavailable)' : ''}
                  {m.advanced ? ' (ops)' : ''}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          {metric && (
            <Grid item xs={12}>
              <Typography variant="body2" color="textSecondary">
                {metric.description}
                {metric.availability
                  .filter(a => a.available === false)
                  .map(
                    a =>
                      ` — ${a.prometheus} has no ${a.missing.join(
                        ', ',
                      )} series yet`,
                  )
                  .join('')}
              </Typography>
            </Grid>
          )}
          {state.metric === 'promql' && (
            <Grid item xs={12}>
              <TextField
                {...field(
                  'expr',
                  'PromQL expression (value compared with the threshold)',
                )}
                multiline
                minRows={2}
              />
            </Grid>
          )}
          {metric?.needsDomain && (
            <Grid item xs={12} sm={6}>
              <TextField {...field('domain', 'Domain')} />
            </Grid>
          )}
          <Grid item xs={4} sm={2}>
            <TextField {...field('comparison', 'Comparison')} select>
              {ALERT_COMPARISONS.map(c => (
                <MenuItem key={c} value={c}>
                  {c}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={8} sm={4}>
            <TextField
              {...field(
                'threshold',
                `Threshold${metric?.unit ? ` (${metric.unit})` : ''}`,
              )}
              required
            />
          </Grid>
          <Grid item xs={6} sm={3}>
            <TextField {...field('for', 'For (e.g. 5m)')} />
          </Grid>
          <Grid item xs={6} sm={3}>
            <TextField {...field('window', 'Window (e.g. 5m)')} />
          </Grid>
          <Grid item xs={12} sm={4}>
            <TextField {...field('severity', 'Severity')} select>
              {ALERT_SEVERITIES.map(s => (
                <MenuItem key={s} value={s}>
                  {s}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12} sm={4}>
            <TextField
              {...field('container', 'Container')}
              select
              disabled={metric ? !metric.perContainer : false}
            >
              <MenuItem value="">Every container</MenuItem>
              {props.containers.map(c => (
                <MenuItem key={c} value={c}>
                  {c}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12} sm={4}>
            <TextField {...field('pod', 'Pod (optional, with a container)')} />
          </Grid>
          <Grid item xs={12} sm={6}>
            <TextField {...field('receivers', 'Receivers (comma separated)')} />
          </Grid>
          <Grid item xs={12} sm={6}>
            <TextField
              {...field('labels', 'Labels (one name=value a line)')}
              multiline
              minRows={2}
            />
          </Grid>
          <Grid item xs={12}>
            <TextField {...field('summary', 'Summary')} required />
          </Grid>
          <Grid item xs={12}>
            <TextField {...field('description', 'Description')} />
          </Grid>
          <Grid item xs={12}>
            <FormControlLabel
              control={
                <Switch
                  checked={state.enabled}
                  onChange={e =>
                    setState(s => ({ ...s, enabled: e.target.checked }))
                  }
                />
              }
              label="Enabled"
            />
          </Grid>
          {props.errors[''] && (
            <Grid item xs={12}>
              <Typography color="error" role="alert">
                {props.errors['']}
              </Typography>
            </Grid>
          )}
        </Grid>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={props.saving}
          onClick={() => props.onSave(toRule(state))}
        >
          {props.saving ? 'Checking with promtool…' : 'Save'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
