import { ChangeEvent, useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Box from '@material-ui/core/Box';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  ConfigFileSaveResult,
  ConfigFileSet,
} from '@internal/plugin-container-cloud-common';
import {
  CodeEditor,
  ContainerCloudApiError,
} from '@internal/plugin-container-cloud-react';
import { configFilesApiRef } from '../../api/ConfigFilesClient';
import { editorLanguage, errorMessage, formatHelp } from './formats';

/** A picked file's text (FileReader: what every browser, and jsdom, reads files with). */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(file);
  });
}

/** A file in the editor; no content: a secret's text, kept as saved unless replaced. */
interface EditedFile {
  name: string;
  content?: string;
}

/**
 * Creates a file set, or saves a new version of one based on the version it loaded (a save based
 * on an older one is refused with the current version, which the editor offers to reload).
 */
export function FileSetEditor(props: {
  entity: CompoundEntityRef;
  /** the set to edit; none: a new set */
  set?: ConfigFileSet;
  secretsEnabled: boolean;
  onClose(): void;
  onSaved(result: ConfigFileSaveResult): void;
}) {
  const api = useApi(configFilesApiRef);
  const { entity, set } = props;
  const [name, setName] = useState('');
  const [secret, setSecret] = useState(false);
  const [files, setFiles] = useState<EditedFile[]>(
    set ? [] : [{ name: 'application.yaml', content: '' }],
  );
  const [base, setBase] = useState(set?.currentVersion);
  const [selectedName, setSelectedName] = useState<string>();
  const [newFile, setNewFile] = useState('');
  const [message, setMessage] = useState('');
  const [loading, setLoading] = useState(Boolean(set));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();
  const [stale, setStale] = useState<number>();
  // clusters where someone edited the ConfigMap outside the portal (a save would overwrite it)
  const [editedIn, setEditedIn] = useState<string[]>([]);

  const load = async (reveal = false) => {
    if (!set) return;
    setLoading(true);
    setError(undefined);
    try {
      const current = await api.get(entity, set.name);
      const version = await api.version(
        entity,
        set.name,
        current.currentVersion,
        {
          reveal,
        },
      );
      setFiles(version.files.map(f => ({ name: f.name, content: f.content })));
      setBase(current.currentVersion);
      setStale(undefined);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // the shown file by name: uploads and removals change the indexes
  const index = Math.max(
    files.findIndex(f => f.name === selectedName),
    0,
  );
  const file = files[index];
  const update = (content: string) =>
    setFiles(all =>
      all.map(f => (f.name === file?.name ? { ...f, content } : f)),
    );
  const addFile = (fileName: string, content = '') => {
    setFiles(all =>
      all.some(f => f.name === fileName)
        ? all.map(f => (f.name === fileName ? { ...f, content } : f))
        : [...all, { name: fileName, content }],
    );
    setSelectedName(fileName);
  };
  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.target;
    for (const f of Array.from(input.files ?? [])) {
      addFile(f.name, await readText(f));
    }
    input.value = '';
  };
  const removeFile = () => {
    setFiles(all => all.filter(f => f.name !== file?.name));
    setSelectedName(undefined);
  };

  const save = async (overwriteClusterEdits = false) => {
    setSaving(true);
    setError(undefined);
    setEditedIn([]);
    try {
      const body = files.map(f => ({ name: f.name, content: f.content }));
      const result = set
        ? await api.save(entity, set.name, {
            baseVersion: base!,
            files: body,
            message,
            ...(overwriteClusterEdits ? { overwriteClusterEdits } : {}),
          })
        : await api.create(entity, { name, secret, files: body, message });
      props.onSaved(result);
    } catch (e) {
      setError(errorMessage(e));
      if (e instanceof ContainerCloudApiError && e.status === 409) {
        const current = e.current as Partial<ConfigFileSet> | undefined;
        if (
          current?.currentVersion !== undefined &&
          current.currentVersion !== base
        ) {
          setStale(current.currentVersion);
        }
        setEditedIn(
          (current?.clusters ?? [])
            .filter(c => c.editedInCluster)
            .map(c => c.cluster),
        );
      }
    } finally {
      setSaving(false);
    }
  };

  const hidden = files.some(f => f.content === undefined);
  return (
    <Dialog open onClose={props.onClose} maxWidth="md" fullWidth>
      <DialogTitle>
        {set ? `Edit ${set.name} (version ${base ?? '…'})` : 'New file set'}
      </DialogTitle>
      <DialogContent>
        {loading && <Progress />}
        {!set && (
          <>
            <TextField
              id="config-file-set-name"
              label="File set name"
              value={name}
              onChange={e => setName(e.target.value)}
              helperText="Lower-case letters, digits and dashes; the ConfigMap is <kubernetes id>-<name>"
              fullWidth
              margin="dense"
            />
            <FormControlLabel
              control={
                <Checkbox
                  checked={secret}
                  disabled={!props.secretsEnabled}
                  onChange={e => setSecret(e.target.checked)}
                />
              }
              label={
                props.secretsEnabled
                  ? 'Secret: kept in a Secret, encrypted in the portal, never shown again after saving'
                  : 'Secret (not available: ops have configured no encryption key)'
              }
            />
          </>
        )}
        {hidden && (
          <Box my={1}>
            <Typography variant="body2">
              This set is secret: its text is not shown. Files you leave
              untouched keep their saved text; type new text to replace a file.
            </Typography>
            <Button size="small" onClick={() => load(true)}>
              Reveal the text
            </Button>
          </Box>
        )}
        <Tabs
          value={index}
          onChange={(_e, i) => setSelectedName(files[i]?.name)}
          variant="scrollable"
          aria-label="files"
        >
          {files.map(f => (
            <Tab key={f.name} label={f.name} />
          ))}
        </Tabs>
        {file && (
          <Box mt={1}>
            <CodeEditor
              label={`Content of ${file.name}`}
              value={file.content ?? ''}
              onChange={update}
              language={editorLanguage(file.name)}
              helperText={
                file.content === undefined
                  ? 'Hidden (secret): type to replace it'
                  : formatHelp(file.name)
              }
              minLines={10}
            />
            <Button
              size="small"
              onClick={removeFile}
              disabled={files.length < 2}
            >
              Remove {file.name}
            </Button>
          </Box>
        )}
        <Box display="flex" alignItems="center" mt={1} style={{ gap: 8 }}>
          <TextField
            id="config-file-new-name"
            label="New file name"
            value={newFile}
            onChange={e => setNewFile(e.target.value)}
            margin="dense"
          />
          <Button
            size="small"
            disabled={!newFile}
            onClick={() => {
              addFile(newFile);
              setNewFile('');
            }}
          >
            Add file
          </Button>
          <Button size="small" component="label">
            Upload files
            <input
              type="file"
              multiple
              hidden
              onChange={upload}
              aria-label="Upload files"
            />
          </Button>
        </Box>
        <TextField
          id="config-file-message"
          label="What changed (message)"
          value={message}
          onChange={e => setMessage(e.target.value)}
          fullWidth
          margin="dense"
        />
        {error && (
          <Typography color="error" role="alert">
            {error}
          </Typography>
        )}
        {editedIn.length > 0 && (
          <Button size="small" color="secondary" onClick={() => save(true)}>
            Overwrite the edits made in {editedIn.join(', ')} and save
          </Button>
        )}
        {stale !== undefined && (
          <Button size="small" onClick={() => load()}>
            Reload version {stale} (your changes here are dropped)
          </Button>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={saving || loading || files.length === 0 || (!set && !name)}
          onClick={() => save()}
        >
          {saving ? 'Saving…' : 'Save'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
