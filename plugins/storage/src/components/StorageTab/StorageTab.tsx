import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import type { VolumeView } from '@internal/plugin-container-cloud-common';
import { CreateVolumeDialog } from './CreateVolumeDialog';
import { DeleteVolumeDialog } from './DeleteVolumeDialog';
import { MountVolumeDialog } from './MountVolumeDialog';
import { ResizeVolumeDialog } from './ResizeVolumeDialog';
import { useVolumes } from './useVolumes';
import { VolumeAction, VolumesTable } from './VolumesTable';
import { VolumeDialog } from './VolumeDialog';

type Open =
  | { action: 'create' }
  | { action: VolumeAction; volume: VolumeView }
  | undefined;

/** A service's volumes in every cluster it runs in, and what can be done with them. */
export function StorageTab() {
  const { value, loading, error, retry, api, ref } = useVolumes();
  const [open, setOpen] = useState<Open>();
  const close = () => setOpen(undefined);

  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return null;

  const createButton = (
    <Button
      variant="contained"
      color="primary"
      disabled={value.types.length === 0}
      onClick={() => setOpen({ action: 'create' })}
    >
      Create volume
    </Button>
  );
  const common = { onChanged: retry, onClose: close };

  return (
    <>
      {value.errors.map(e => (
        <WarningPanel
          key={e.cluster}
          title={`Cluster ${e.cluster} could not be read`}
          message={e.message}
        />
      ))}
      {value.types.length === 0 && (
        <Typography variant="body2" color="textSecondary" paragraph>
          No storage type is offered in every cluster this service runs in
          (containerCloud.storage.volumes).
        </Typography>
      )}
      {value.items.length === 0 ? (
        <EmptyState
          missing="data"
          title="No volumes yet"
          description="A volume is a persistent disk the service's containers mount; it is made in every cluster the service runs in."
          action={createButton}
        />
      ) : (
        <>
          <div style={{ marginBottom: 8 }}>{createButton}</div>
          <VolumesTable
            volumes={value.items}
            onAction={(action, volume) => setOpen({ action, volume })}
          />
        </>
      )}
      {open?.action === 'create' && (
        <CreateVolumeDialog
          types={value.types}
          onCreate={request => api.create(ref, request)}
          {...common}
        />
      )}
      {open?.action === 'mount' && (
        <MountVolumeDialog
          volume={open.volume.name}
          deployments={value.deployments}
          onMount={request => api.mount(ref, open.volume.name, request)}
          {...common}
        />
      )}
      {open?.action === 'unmount' && (
        <VolumeDialog
          title={`Unmount ${open.volume.name}`}
          submitLabel="Unmount"
          onSubmit={() =>
            api.unmount(ref, open.volume.name, {
              expected: value.deployments.map(d => ({
                cluster: d.cluster,
                namespace: d.namespace,
                deployment: d.deployment,
                resourceVersion: d.resourceVersion,
                generation: d.generation,
              })),
            })
          }
          {...common}
        >
          <Typography variant="body2">
            Removes it from{' '}
            {[
              ...new Set(
                open.volume.mounts.map(m => `${m.cluster}/${m.deployment}`),
              ),
            ].join(', ')}
            ; the Deployments roll out new pods. The data stays in the volume.
          </Typography>
        </VolumeDialog>
      )}
      {open?.action === 'resize' && (
        <ResizeVolumeDialog
          volume={open.volume}
          onResize={size => api.resize(ref, open.volume.name, size)}
          {...common}
        />
      )}
      {open?.action === 'delete' && (
        <DeleteVolumeDialog
          volume={open.volume}
          onDelete={() => api.delete(ref, open.volume.name)}
          {...common}
        />
      )}
    </>
  );
}
