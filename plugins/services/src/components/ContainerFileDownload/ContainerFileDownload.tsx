import { useState } from 'react';
import { Box, Button, TextField } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { shellApiRef, ShellTarget } from '../../api/ShellClient';
import { saveFile } from '../../lib/saveFile';

/** Downloads a file from inside a container (a log file the application writes). */
export function ContainerFileDownload(props: {
  entity: CompoundEntityRef;
  target: ShellTarget;
}) {
  const { entity, target } = props;
  const client = useApi(shellApiRef);
  const [filePath, setFilePath] = useState('/var/log/');
  const [download, setDownload] = useState<
    { state: 'idle' } | { state: 'busy' } | { state: 'failed'; message: string }
  >({ state: 'idle' });

  async function downloadFile() {
    setDownload({ state: 'busy' });
    try {
      const file = await client.downloadFile(entity, target, filePath);
      saveFile(file.fileName, file.blob);
      setDownload({ state: 'idle' });
    } catch (error) {
      setDownload({ state: 'failed', message: (error as Error).message });
    }
  }

  return (
    <Box display="flex" style={{ gap: 16 }} mt={2} alignItems="center">
      <TextField
        id="shell-file-path"
        label="File in the container"
        helperText="a log file the application writes, e.g. /var/log/app.log"
        value={filePath}
        onChange={e => setFilePath(e.target.value)}
        style={{ minWidth: 420 }}
      />
      <Button
        variant="outlined"
        onClick={downloadFile}
        disabled={download.state === 'busy' || filePath.endsWith('/')}
      >
        Download file
      </Button>
      {download.state === 'failed' && (
        <Alert severity="error">{download.message}</Alert>
      )}
    </Box>
  );
}
