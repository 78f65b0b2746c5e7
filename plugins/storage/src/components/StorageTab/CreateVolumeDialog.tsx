import { useState } from 'react';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import {
  StorageTypeView,
  VolumeChangeResult,
  VolumeCreateRequest,
  volumeCreateSchema,
} from '@internal/plugin-container-cloud-common';
import { VolumeDialog } from './VolumeDialog';

const UNITS = ['Mi', 'Gi', 'Ti'];

/** The first problem of the form, named by its field, as the backend would say it. */
function problemOf(request: Partial<VolumeCreateRequest>): string | undefined {
  const parsed = volumeCreateSchema.safeParse(request);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return `${issue.path.join('.')}: ${issue.message}`;
}

/** Create a volume: name, storage type, size with its unit, access mode. */
export function CreateVolumeDialog(props: {
  types: StorageTypeView[];
  onCreate: (request: VolumeCreateRequest) => Promise<VolumeChangeResult>;
  onChanged: () => void;
  onClose: () => void;
}) {
  const [name, setName] = useState('');
  const [typeName, setTypeName] = useState(props.types[0]?.name ?? '');
  const [amount, setAmount] = useState('10');
  const [unit, setUnit] = useState('Gi');
  const type = props.types.find(t => t.name === typeName);
  const [accessMode, setAccessMode] = useState(
    type?.accessModes.includes('ReadWriteOnce')
      ? 'ReadWriteOnce'
      : type?.accessModes[0] ?? '',
  );
  const request = {
    name,
    type: typeName,
    size: `${amount}${unit}`,
    accessMode,
  } as VolumeCreateRequest;
  const invalid = name === '' ? 'give the volume a name' : problemOf(request);

  return (
    <VolumeDialog
      title="Create a volume"
      submitLabel="Create"
      invalid={invalid}
      onSubmit={() => props.onCreate(request)}
      onChanged={props.onChanged}
      onClose={props.onClose}
    >
      <TextField
        id="volume-name"
        label="Name"
        value={name}
        onChange={e => setName(e.target.value)}
        helperText={
          name && invalid?.startsWith('name')
            ? invalid
            : 'lower-case letters, digits and dashes; the claim’s name in every cluster'
        }
        error={Boolean(name && invalid?.startsWith('name'))}
        fullWidth
        margin="dense"
      />
      <TextField
        select
        id="volume-type"
        label="Storage type"
        value={typeName}
        onChange={e => setTypeName(e.target.value)}
        helperText={
          type
            ? `${
                type.kind === 'nfs' ? 'static NFS export' : 'StorageClass'
              }; on delete: ${type.reclaimPolicy}${
                type.expandable ? '; can grow' : ''
              }`
            : 'no storage type is offered in every cluster this service runs in'
        }
        fullWidth
        margin="dense"
      >
        {props.types.map(t => (
          <MenuItem key={t.name} value={t.name}>
            {t.title}
          </MenuItem>
        ))}
      </TextField>
      <div style={{ display: 'flex', gap: 8 }}>
        <TextField
          id="volume-size"
          label="Size"
          type="number"
          value={amount}
          onChange={e => setAmount(e.target.value)}
          error={Boolean(invalid?.startsWith('size'))}
          helperText={invalid?.startsWith('size') ? invalid : undefined}
          inputProps={{ min: 1 }}
          margin="dense"
        />
        <TextField
          select
          id="volume-unit"
          label="Unit"
          value={unit}
          onChange={e => setUnit(e.target.value)}
          margin="dense"
        >
          {UNITS.map(u => (
            <MenuItem key={u} value={u}>
              {u}
            </MenuItem>
          ))}
        </TextField>
      </div>
      <TextField
        select
        id="volume-access-mode"
        label="Access mode"
        value={accessMode}
        onChange={e => setAccessMode(e.target.value)}
        fullWidth
        margin="dense"
      >
        {(type?.accessModes ?? []).map(m => (
          <MenuItem key={m} value={m}>
            {m}
          </MenuItem>
        ))}
      </TextField>
    </VolumeDialog>
  );
}
