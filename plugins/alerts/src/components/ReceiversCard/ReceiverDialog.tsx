import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import type {
  ReceiverCreate,
  ReceiverKind,
  ReceiverView,
} from '@internal/plugin-container-cloud-common';

/** The form's fields, all text; secrets empty (left out: the saved one stays). */
interface Form {
  name: string;
  kind: ReceiverKind;
  description: string;
  to: string;
  smarthost: string;
  from: string;
  authUsername: string;
  authPassword: string;
  url: string;
  bearerToken: string;
  flavour: 'slack' | 'discord';
  imUrl: string;
  channel: string;
}

function formOf(r?: ReceiverView): Form {
  return {
    name: r?.name ?? '',
    kind: r?.kind ?? 'webhook',
    description: r?.description ?? '',
    to: r?.email?.to.join(', ') ?? '',
    smarthost: r?.email?.smarthost ?? '',
    from: r?.email?.from ?? '',
    authUsername: r?.email?.authUsername ?? '',
    authPassword: '',
    url: r?.webhook?.url ?? '',
    bearerToken: '',
    flavour: r?.im?.flavour ?? 'slack',
    imUrl: '',
    channel: r?.im?.channel ?? '',
  };
}

const opt = (v: string) => (v.trim() === '' ? undefined : v.trim());

/** The request body of the form (without name and version). */
export function receiverBody(form: Form): Omit<ReceiverCreate, 'name'> {
  const base = { kind: form.kind, description: opt(form.description) };
  if (form.kind === 'email') {
    return {
      ...base,
      email: {
        to: form.to
          .split(',')
          .map(s => s.trim())
          .filter(Boolean),
        smarthost: opt(form.smarthost),
        from: opt(form.from),
        authUsername: opt(form.authUsername),
        authPassword: opt(form.authPassword),
      },
    };
  }
  if (form.kind === 'webhook') {
    return {
      ...base,
      webhook: { url: form.url.trim(), bearerToken: opt(form.bearerToken) },
    };
  }
  return {
    ...base,
    im: {
      flavour: form.flavour,
      url: opt(form.imUrl),
      channel: opt(form.channel),
    },
  };
}

/**
 * The field a 400 names ("invalid receiver: webhook.url: ..."), mapped to the form's field, so
 * the message (amtool's too) shows under it.
 */
export function fieldOfError(message: string): keyof Form | undefined {
  const path = /^invalid receiver: ([a-zA-Z.0-9]+)/.exec(message)?.[1];
  if (!path) return undefined;
  const [part, field] = path.split('.');
  if (part === 'name' || part === 'kind' || part === 'description') return part;
  if (part === 'email') {
    if (field === 'to' || !field) return 'to';
    return field as keyof Form;
  }
  if (part === 'webhook')
    return field === 'bearerToken' ? 'bearerToken' : 'url';
  if (part === 'im') {
    if (field === 'channel') return 'channel';
    return 'imUrl';
  }
  return undefined;
}

/** Creates a receiver, or edits one (`receiver`); errors show under the field they name. */
export function ReceiverDialog(props: {
  open: boolean;
  receiver?: ReceiverView;
  onClose(): void;
  onSubmit(name: string, body: Omit<ReceiverCreate, 'name'>): Promise<void>;
}) {
  const editing = props.receiver;
  const [form, setForm] = useState<Form>(() => formOf(editing));
  const [error, setError] = useState<{ field?: keyof Form; message: string }>();
  const [busy, setBusy] = useState(false);

  const field = (key: keyof Form, label: string, extra: object = {}) => (
    <TextField
      id={`receiver-${key}`}
      label={label}
      value={form[key]}
      onChange={e => setForm(f => ({ ...f, [key]: e.target.value }))}
      fullWidth
      margin="dense"
      error={error?.field === key}
      helperText={error?.field === key ? error.message : undefined}
      {...extra}
    />
  );

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onSubmit(form.name.trim(), receiverBody(form));
    } catch (e) {
      const message = (e as Error).message;
      setError({ field: fieldOfError(message), message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={props.open} onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>
        {editing ? `Edit receiver ${editing.name}` : 'New receiver'}
      </DialogTitle>
      <DialogContent>
        {!editing && field('name', 'Name', { required: true })}
        {field('kind', 'Kind', {
          select: true,
          children: [
            <MenuItem key="webhook" value="webhook">
              Webhook (Alertmanager's JSON)
            </MenuItem>,
            <MenuItem key="email" value="email">
              Email
            </MenuItem>,
            <MenuItem key="im" value="im">
              IM webhook (Slack-compatible or Discord)
            </MenuItem>,
          ],
        })}
        {field('description', 'Description')}
        {form.kind === 'webhook' && (
          <>
            {field('url', 'URL', { required: true })}
            {field('bearerToken', 'Bearer token', {
              type: 'password',
              placeholder: editing?.webhook?.hasBearerToken
                ? 'saved: leave empty to keep it'
                : undefined,
            })}
          </>
        )}
        {form.kind === 'email' && (
          <>
            {field('to', 'To (comma-separated)', { required: true })}
            {field('smarthost', 'SMTP server (host:port)')}
            {field('from', 'From')}
            {field('authUsername', 'SMTP user')}
            {field('authPassword', 'SMTP password', {
              type: 'password',
              placeholder: editing?.email?.hasAuthPassword
                ? 'saved: leave empty to keep it'
                : undefined,
            })}
          </>
        )}
        {form.kind === 'im' && (
          <>
            {field('flavour', 'Format', {
              select: true,
              children: [
                <MenuItem key="slack" value="slack">
                  Slack-compatible
                </MenuItem>,
                <MenuItem key="discord" value="discord">
                  Discord
                </MenuItem>,
              ],
            })}
            {field('imUrl', 'Incoming webhook URL', {
              type: 'password',
              required: !editing,
              placeholder: editing?.im
                ? `saved (${editing.im.urlHint}…): leave empty to keep it`
                : undefined,
            })}
            {form.flavour === 'slack' && field('channel', 'Channel')}
          </>
        )}
        {error && !error.field && (
          <Typography color="error" variant="body2" role="alert">
            {error.message}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy}
          onClick={submit}
        >
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}
