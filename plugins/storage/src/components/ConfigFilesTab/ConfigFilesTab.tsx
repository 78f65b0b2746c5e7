import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import Box from '@material-ui/core/Box';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import type {
  ConfigFileSaveResult,
  ConfigFileSet,
} from '@internal/plugin-container-cloud-common';
import { age } from '@internal/plugin-container-cloud-react';
import { configFilesApiRef } from '../../api/ConfigFilesClient';
import { FileSetEditor } from './FileSetEditor';
import { VersionsDialog } from './VersionsDialog';
import { MountDialog } from './MountDialog';
import { SaveNotice } from './SaveNotice';
import { errorMessage } from './formats';

type Open =
  | { dialog: 'create' }
  | { dialog: 'edit' | 'versions' | 'mounts' | 'delete'; set: ConfigFileSet };

function clustersText(set: ConfigFileSet): string {
  if (set.clusters.length === 0)
    return 'not in any cluster (the service runs nowhere)';
  return set.clusters
    .map(c =>
      c.error
        ? `${c.cluster}: unreadable`
        : `${c.cluster}: ${c.version === null ? 'missing' : `v${c.version}`}${
            c.editedInCluster ? ' (edited in the cluster)' : ''
          }`,
    )
    .join(', ');
}

function mountsText(set: ConfigFileSet): string {
  if (set.mounts.length === 0) return 'not mounted';
  const behind = set.mounts.filter(m => !m.current).length;
  const paths = [...new Set(set.mounts.map(m => m.path))].join(', ');
  return `${set.mounts.length} container${
    set.mounts.length > 1 ? 's' : ''
  } at ${paths}${behind ? `; ${behind} run an older version` : ''}`;
}

/** The "Config files" tab: a service's file sets, their versions, mounts and secrets. */
export function ConfigFilesTab() {
  const { entity } = useEntity();
  const ref = getCompoundEntityRef(entity);
  const api = useApi(configFilesApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.list(ref),
    [ref.namespace, ref.name],
  );
  const [opened, setOpen] = useState<Open>();
  // a dialog shows the set as the list has it now (it is read again after every save)
  const open: Open | undefined =
    opened && opened.dialog !== 'create'
      ? {
          ...opened,
          set: value?.items.find(s => s.name === opened.set.name) ?? opened.set,
        }
      : opened;
  const [saved, setSaved] = useState<ConfigFileSaveResult>();
  const [deleteError, setDeleteError] = useState<string>();

  const onSaved = (result: ConfigFileSaveResult) => {
    setOpen(undefined);
    setSaved(result);
    retry();
  };
  const remove = async (set: ConfigFileSet) => {
    setDeleteError(undefined);
    try {
      await api.remove(ref, set.name);
      setOpen(undefined);
      retry();
    } catch (e) {
      setDeleteError(errorMessage(e));
    }
  };

  const columns: TableColumn<ConfigFileSet>[] = [
    {
      title: 'File set',
      field: 'name',
      render: set => (
        <>
          <Typography variant="body2">{set.name}</Typography>
          {set.secret && <Chip size="small" label="secret" />}
        </>
      ),
    },
    { title: 'Version', field: 'currentVersion' },
    { title: 'Files', render: set => set.files.map(f => f.name).join(', ') },
    { title: 'In clusters', render: clustersText },
    { title: 'Mounted', render: mountsText },
    {
      title: 'Saved',
      render: set => `${age(set.updatedAt)} ago by ${set.updatedBy}`,
    },
    {
      title: 'Actions',
      render: set => (
        <Box display="flex" flexWrap="wrap">
          {(['edit', 'versions', 'mounts', 'delete'] as const).map(dialog => (
            <Button
              key={dialog}
              size="small"
              aria-label={`${dialog} ${set.name}`}
              onClick={() => {
                setDeleteError(undefined);
                setOpen({ dialog, set });
              }}
            >
              {dialog === 'mounts'
                ? 'Mount'
                : dialog[0].toUpperCase() + dialog.slice(1)}
            </Button>
          ))}
        </Box>
      ),
    },
  ];

  const addButton = (
    <Button
      variant="contained"
      color="primary"
      onClick={() => setOpen({ dialog: 'create' })}
    >
      Add file set
    </Button>
  );

  let content;
  if (loading && !value) content = <Progress />;
  else if (error) content = <ResponseErrorPanel error={error} />;
  else if (!value || value.items.length === 0) {
    content = (
      <EmptyState
        missing="content"
        title="No config files yet"
        description="Add a file set from the editor or an upload: it becomes a ConfigMap in every cluster this service runs in, and every save is a version you can diff and roll back."
        action={addButton}
      />
    );
  } else {
    content = (
      <Table<ConfigFileSet>
        title="Config file sets"
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={columns}
        data={value.items}
      />
    );
  }

  return (
    <InfoCard
      title="Config files"
      subheader={
        value
          ? `Written to ${
              value.targets
                .map(t => `${t.cluster}/${t.namespace}`)
                .join(', ') || 'no cluster yet'
            }`
          : undefined
      }
      action={value && value.items.length > 0 ? addButton : undefined}
    >
      {saved && (
        <Box mb={2}>
          <SaveNotice
            entity={ref}
            result={saved}
            onRestarted={retry}
            onClose={() => setSaved(undefined)}
          />
        </Box>
      )}
      {content}
      {open?.dialog === 'create' && (
        <FileSetEditor
          entity={ref}
          secretsEnabled={value?.secretsEnabled ?? false}
          onClose={() => setOpen(undefined)}
          onSaved={onSaved}
        />
      )}
      {open?.dialog === 'edit' && (
        <FileSetEditor
          entity={ref}
          set={open.set}
          secretsEnabled={value?.secretsEnabled ?? false}
          onClose={() => setOpen(undefined)}
          onSaved={onSaved}
        />
      )}
      {open?.dialog === 'versions' && (
        <VersionsDialog
          entity={ref}
          set={open.set}
          onClose={() => setOpen(undefined)}
          onRolledBack={onSaved}
        />
      )}
      {open?.dialog === 'mounts' && (
        <MountDialog
          entity={ref}
          set={open.set}
          onClose={() => setOpen(undefined)}
          onChanged={() => {
            setOpen(undefined);
            retry();
          }}
        />
      )}
      {open?.dialog === 'delete' && (
        <Dialog open onClose={() => setOpen(undefined)}>
          <DialogTitle>Delete {open.set.name}?</DialogTitle>
          <DialogContent>
            <Typography>
              Its ConfigMap{open.set.secret ? ' (Secret)' : ''}{' '}
              {open.set.objectName} is removed from every cluster and its{' '}
              {open.set.currentVersion} version(s) are deleted. A set that a
              Deployment mounts cannot be deleted.
            </Typography>
            {deleteError && (
              <Typography color="error" role="alert">
                {deleteError}
              </Typography>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setOpen(undefined)}>Cancel</Button>
            <Button color="secondary" onClick={() => remove(open.set)}>
              Delete
            </Button>
          </DialogActions>
        </Dialog>
      )}
    </InfoCard>
  );
}
