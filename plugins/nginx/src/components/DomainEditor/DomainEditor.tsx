import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import { CodeEditor } from '@internal/plugin-container-cloud-react';
import { Domain, DomainView, nginxApiRef } from '../../api/NginxClient';
import { conflictOf } from '../conflict';
import { fieldErrors } from '../fieldErrors';
import {
  DomainForm,
  domainToForm,
  emptyForm,
  FormError,
  formToDomain,
} from './domainForm';

/** Which form fields show the errors of a backend field. */
const FIELD_OF: Record<string, keyof DomainForm> = {
  grayRelease: 'grayPercent',
};

/**
 * Edits a whole domain (ops): every field the backend knows, no free-text directives. A save
 * the backend refuses shows its message under the field it names.
 */
export function DomainEditor(props: {
  cluster: string;
  domain?: DomainView;
  onClose(): void;
  onSaved(domain: DomainView): void;
}) {
  const api = useApi(nginxApiRef);
  const [form, setForm] = useState<DomainForm>(() =>
    props.domain ? domainToForm(props.domain) : emptyForm(props.cluster),
  );
  // the version the edit is made from: the save names it, a newer one on the server is a 409
  const [base, setBase] = useState<number>(props.domain?.version ?? 0);
  const [conflict, setConflict] = useState<{
    message: string;
    current: DomainView | null;
  }>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);

  const field = (
    key: keyof DomainForm,
    label: string,
    options: { multiline?: boolean; helper?: string; disabled?: boolean } = {},
  ) =>
    options.multiline ? (
      <CodeEditor
        id={`nginx-domain-${key}`}
        label={label}
        value={form[key]}
        readOnly={options.disabled}
        minLines={3}
        error={errors[key]}
        helperText={options.helper}
        onChange={value => setForm(current => ({ ...current, [key]: value }))}
      />
    ) : (
      <TextField
        fullWidth
        margin="dense"
        variant="outlined"
        id={`nginx-domain-${key}`}
        label={label}
        value={form[key]}
        disabled={options.disabled}
        error={Boolean(errors[key])}
        helperText={errors[key] ?? options.helper}
        onChange={e => setForm({ ...form, [key]: e.target.value })}
      />
    );

  /** Shows the domain as someone else saved it; the next save builds on their version. */
  function reload() {
    if (!conflict) return;
    setForm(
      conflict.current
        ? domainToForm(conflict.current)
        : emptyForm(props.cluster),
    );
    setBase(conflict.current?.version ?? 0);
    setConflict(undefined);
    setErrors({});
  }

  async function save() {
    setErrors({});
    setConflict(undefined);
    let domain: Domain;
    try {
      domain = formToDomain(form);
    } catch (error) {
      const e = error as FormError;
      setErrors({ [FIELD_OF[e.field] ?? e.field]: e.message });
      return;
    }
    setSaving(true);
    try {
      const saved = await api.saveDomain(domain, base);
      props.onSaved(saved.domain);
    } catch (error) {
      const lost = conflictOf(error);
      if (lost) {
        setConflict(lost);
        return;
      }
      const byField = fieldErrors((error as Error).message);
      setErrors(
        Object.fromEntries(
          Object.entries(byField).map(([k, v]) => [FIELD_OF[k] ?? k, v]),
        ),
      );
    } finally {
      setSaving(false);
    }
  }

  return (
    <Dialog open onClose={props.onClose} maxWidth="md" fullWidth>
      <DialogTitle>
        {props.domain ? `Domain ${props.domain.name}` : 'New domain'} on{' '}
        {props.cluster}
      </DialogTitle>
      <DialogContent>
        {errors._ && (
          <Typography color="error" role="alert">
            {errors._}
          </Typography>
        )}
        {conflict && (
          <Typography color="error" role="alert">
            {conflict.message}{' '}
            <Button size="small" color="primary" onClick={reload}>
              {conflict.current
                ? `Reload version ${conflict.current.version}`
                : 'Start again'}
            </Button>{' '}
            (your edit here is replaced by theirs: copy what you need first)
          </Typography>
        )}
        <Grid container spacing={1}>
          <Grid item xs={6}>
            {field('name', 'Name', { disabled: Boolean(props.domain) })}
          </Grid>
          <Grid item xs={6}>
            {field('owner', 'Owner', {
              helper: 'the service, e.g. component:default/payments-api',
            })}
          </Grid>
          <Grid item xs={6}>
            {field('serverNames', 'Server names', {
              helper:
                'separated by spaces, e.g. shop.example.com *.shop.example.com',
            })}
          </Grid>
          <Grid item xs={6}>
            {field('listen', 'Listen', {
              helper: 'ports or address:port, separated by spaces',
            })}
          </Grid>
          <Grid item xs={12}>
            {field('upstreams', 'Upstreams', {
              multiline: true,
              helper:
                'one a line: name: 10.0.0.1:8080 weight=5 max_fails=3 fail_timeout=10s, 10.0.0.2:8080 backup, k8s:cluster/namespace/service:http',
            })}
          </Grid>
          <Grid item xs={12}>
            {field('locations', 'Locations', {
              multiline: true,
              helper: 'one a line: path upstream, e.g. /api/ app',
            })}
          </Grid>
          <Grid item xs={4}>
            {field('grayStable', 'Gray release: stable upstream')}
          </Grid>
          <Grid item xs={4}>
            {field('grayCanary', 'Canary upstream')}
          </Grid>
          <Grid item xs={4}>
            {field('grayPercent', 'Canary share (%)')}
          </Grid>
          <Grid item xs={3}>
            {field('headerName', 'Canary header')}
          </Grid>
          <Grid item xs={3}>
            {field('headerValue', 'Header value')}
          </Grid>
          <Grid item xs={3}>
            {field('cookieName', 'Canary cookie')}
          </Grid>
          <Grid item xs={3}>
            {field('cookieValue', 'Cookie value')}
          </Grid>
        </Grid>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button color="primary" disabled={saving} onClick={save}>
          Save draft
        </Button>
      </DialogActions>
    </Dialog>
  );
}
