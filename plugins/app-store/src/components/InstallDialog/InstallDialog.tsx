import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormHelperText from '@material-ui/core/FormHelperText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  APP_STORE_ENVIRONMENTS,
  APP_STORE_MAX_EXPIRY_DAYS,
  APP_STORE_PRESETS,
  ChartView,
  InstanceInstall,
  InstanceSummary,
} from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { appStoreApiRef, fieldErrors } from '../../api/AppStoreClient';
import {
  hasValueFields,
  Values,
  ValuesForm,
  ValuesSchema,
} from '../ValuesForm';
import { PasswordField } from './PasswordField';
import { TargetFields, useInstallTargets } from './TargetFields';

/**
 * The chart values the form's own fields set (the backend maps preset, storage and password to
 * them, as the project's charts name them): the generated part of the form leaves them out, so
 * one thing is never asked twice, and the chart's refusals of them show under the form's field.
 */
export const FORM_OWNED_VALUES: Record<string, string> = {
  preset: 'preset',
  'storage.size': 'storage',
  'auth.password': 'password',
};

/** The server's field errors, with the chart values the form's fields set under those fields. */
export function formErrors(byField: Record<string, string>) {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(byField)) {
    const own = field.startsWith('values.')
      ? FORM_OWNED_VALUES[field.slice('values.'.length)]
      : undefined;
    const key = own ?? field;
    out[key] = out[key] ? `${out[key]}; ${message}` : message;
  }
  return out;
}

function presetsOf(schema?: ValuesSchema): string[] {
  const options = schema?.properties?.preset?.enum;
  return Array.isArray(options) && options.length > 0
    ? options.map(String)
    : [...APP_STORE_PRESETS];
}

/** Installs a chart: name, version, owner and placement, size, storage, password, expiry. */
export function InstallDialog(props: {
  chart: ChartView;
  open: boolean;
  onClose: () => void;
  onInstalled: (instance: InstanceSummary) => void;
}) {
  const { chart, open, onClose, onInstalled } = props;
  const api = useApi(appStoreApiRef);
  const [name, setName] = useState(chart.name);
  const [version, setVersion] = useState(chart.versions[0]?.version ?? '');
  const [environment, setEnvironment] = useState<string>('test');
  const [preset, setPreset] = useState('small');
  const [storage, setStorage] = useState('');
  const [password, setPassword] = useState<string>();
  const [expiry, setExpiry] = useState('');
  const [values, setValues] = useState<Values>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [checked, setChecked] = useState(false);

  const targets = useInstallTargets();
  const detail = useAsync(
    async () =>
      version ? api.chart(chart.repository, chart.name, version) : undefined,
    [api, chart.repository, chart.name, version],
  );
  const schema = detail.value?.valuesSchema as ValuesSchema | undefined;

  /** Installs, or with `dryRun` only checks: Helm renders, the apiserver dry-runs, nothing stays. */
  const install = async (dryRun: boolean) => {
    const request: InstanceInstall = {
      repository: chart.repository,
      chart: chart.name,
      version,
      cluster: targets.cluster,
      namespace: targets.namespace,
      name: name.trim(),
      owner: targets.owner,
      environment: environment as InstanceInstall['environment'],
      preset: preset as InstanceInstall['preset'],
      storage: storage.trim() || undefined,
      password,
      expiresInDays:
        environment === 'test' && expiry.trim() ? Number(expiry) : undefined,
      values: Object.keys(values).length > 0 ? values : undefined,
      ...(dryRun ? { dryRun: true } : {}),
    };
    setBusy(true);
    setErrors({});
    setChecked(false);
    try {
      const instance = await api.install(request);
      if (dryRun) setChecked(true);
      else onInstalled(instance);
    } catch (e) {
      const error = e as Error;
      setErrors(
        e instanceof ContainerCloudApiError && e.status === 400
          ? formErrors(fieldErrors(error.message))
          : { _: error.message },
      );
    } finally {
      setBusy(false);
    }
  };

  const field = (key: string, help?: string) => ({
    error: !!errors[key],
    helperText: errors[key] ?? help,
  });

  return (
    <Dialog
      open={open}
      onClose={onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby="install-title"
    >
      <DialogTitle id="install-title">Install {chart.name}</DialogTitle>
      <DialogContent>
        {targets.loading && <Progress />}
        {targets.error && <ResponseErrorPanel error={targets.error} />}
        {targets.none && (
          <Typography color="error">
            None of your teams' services has a placement to install into: a
            service needs a binding to a cluster and namespace first.
          </Typography>
        )}
        {errors._ && (
          <Typography color="error" role="alert">
            {errors._}
          </Typography>
        )}
        <TextField
          id="install-name"
          label="Name"
          fullWidth
          margin="dense"
          value={name}
          onChange={e => setName(e.target.value)}
          {...field(
            'name',
            'the Helm release name; its objects are named after it',
          )}
        />
        <TextField
          id="install-version"
          label="Version"
          select
          fullWidth
          margin="dense"
          value={version}
          onChange={e => setVersion(e.target.value)}
          {...field('version')}
        >
          {chart.versions.map(v => (
            <MenuItem key={v.version} value={v.version}>
              {v.version}
              {v.appVersion ? ` (app ${v.appVersion})` : ''}
            </MenuItem>
          ))}
        </TextField>
        <TargetFields targets={targets} errors={errors} />
        <Box display="flex" style={{ gap: 16 }}>
          <TextField
            id="install-environment"
            label="Environment"
            select
            fullWidth
            margin="dense"
            value={environment}
            onChange={e => setEnvironment(e.target.value)}
            {...field(
              'environment',
              environment === 'production' ? 'never expires' : 'expires',
            )}
          >
            {APP_STORE_ENVIRONMENTS.map(env => (
              <MenuItem key={env} value={env}>
                {env}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            id="install-preset"
            label="Size"
            select
            fullWidth
            margin="dense"
            value={preset}
            onChange={e => setPreset(e.target.value)}
            {...field('preset', schema?.properties?.preset?.description)}
          >
            {presetsOf(schema).map(p => (
              <MenuItem key={p} value={p}>
                {p}
              </MenuItem>
            ))}
          </TextField>
        </Box>
        <Box display="flex" style={{ gap: 16 }}>
          <TextField
            id="install-storage"
            label="Storage size"
            fullWidth
            margin="dense"
            placeholder={String(
              schema?.properties?.storage?.properties?.size?.default ?? '8Gi',
            )}
            value={storage}
            onChange={e => setStorage(e.target.value)}
            {...field('storage', "e.g. 8Gi; empty: the chart's default")}
          />
          {environment === 'test' && (
            <TextField
              id="install-expiry"
              label="Expires after (days)"
              type="number"
              fullWidth
              margin="dense"
              placeholder="7"
              inputProps={{ min: 1, max: APP_STORE_MAX_EXPIRY_DAYS }}
              value={expiry}
              onChange={e => setExpiry(e.target.value)}
              {...field('expiresInDays', "empty: the environment's default")}
            />
          )}
        </Box>
        <PasswordField
          value={password}
          onChange={setPassword}
          error={errors.password}
        />
        {detail.loading && <Progress />}
        {detail.error && <ResponseErrorPanel error={detail.error} />}
        {schema && hasValueFields(schema, Object.keys(FORM_OWNED_VALUES)) && (
          <Box mt={2}>
            <Typography variant="subtitle1">Chart values</Typography>
            <Typography variant="caption" color="textSecondary">
              From the chart's values schema; leave a field empty for the
              chart's default.
            </Typography>
            <ValuesForm
              schema={schema}
              values={values}
              onChange={setValues}
              errors={errors}
              exclude={Object.keys(FORM_OWNED_VALUES)}
            />
          </Box>
        )}
        {errors.values && (
          <FormHelperText error>{errors.values}</FormHelperText>
        )}
        {checked && (
          <Typography role="status" variant="body2">
            Checked: the chart accepts these values and the cluster's dry run
            accepts what Helm rendered. Nothing was installed.
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          disabled={busy || !targets.owner || !targets.placement || !version}
          onClick={() => install(true)}
        >
          Check
        </Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy || !targets.owner || !targets.placement || !version}
          onClick={() => install(false)}
        >
          {busy ? 'Installing…' : 'Install'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
