import { useState } from 'react';
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  TextField,
  Typography,
} from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { CodeflowView } from '@internal/plugin-container-cloud-common';
import {
  CodeEditor,
  ContainerCloudApiError,
} from '@internal/plugin-container-cloud-react';
import useAsync from 'react-use/esm/useAsync';
import { codeflowApiRef } from '../../api/CodeflowClient';
import { FieldErrors, errorsUnder, fieldErrors } from '../../lib/fieldErrors';
import { CommandsField } from './CommandsField';
import { SourceFields } from './SourceFields';
import { EnvTable } from './EnvTable';
import { TargetsEditor } from './TargetsEditor';
import { TriggersEditor } from './TriggersEditor';
import { Draft, definitionOf, draftOf, emptyDraft } from './draft';

/**
 * Create or edit a codeflow: every field of its definition in plain words. A 400 shows its words
 * next to the field it names; a 409 on edit shows who changed it and offers their version.
 */
export function CodeflowDialog(props: {
  entity: CompoundEntityRef;
  entityRef: string;
  /** the codeflow to edit; none: a new one */
  codeflow?: CodeflowView;
  onClose(): void;
  onSaved(codeflow: CodeflowView): void;
}) {
  const { entity, entityRef, codeflow, onClose, onSaved } = props;
  const api = useApi(codeflowApiRef);
  const [draft, setDraft] = useState<Draft>(() =>
    codeflow ? draftOf(codeflow) : emptyDraft(entityRef),
  );
  const [version, setVersion] = useState(codeflow?.version);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [conflict, setConflict] = useState<CodeflowView>();
  const [saving, setSaving] = useState(false);
  const choices = useAsync(
    async () => ({
      buildImages: (await api.buildImages()).items,
      credentials: (await api.credentials()).items,
    }),
    [api],
  );
  const set = (change: Partial<Draft>) => setDraft(d => ({ ...d, ...change }));
  const err = (field: string) => errorsUnder(errors, field);

  async function save() {
    setConflict(undefined);
    const made = definitionOf(draft);
    if ('errors' in made) {
      setErrors(made.errors);
      return;
    }
    setErrors({});
    setSaving(true);
    try {
      const saved =
        codeflow && version !== undefined
          ? await api.updateCodeflow(entity, codeflow.id, {
              ...made.definition,
              version,
            })
          : await api.createCodeflow(entity, made.definition);
      onSaved(saved);
    } catch (error) {
      const e = error as Error;
      if (
        e instanceof ContainerCloudApiError &&
        e.status === 409 &&
        e.current
      ) {
        setConflict(e.current as CodeflowView);
      } else if (
        e instanceof ContainerCloudApiError &&
        (e.status === 400 || e.status === 403)
      ) {
        setErrors(fieldErrors(e.message));
      } else {
        setErrors({ _: e.message });
      }
    } finally {
      setSaving(false);
    }
  }

  function reloadTheirs() {
    if (!conflict) return;
    setDraft(draftOf(conflict));
    setVersion(conflict.version);
    setConflict(undefined);
    setErrors({});
  }

  const text = (
    field: keyof Draft & string,
    label: string,
    helperText: string,
    extra: { required?: boolean; type?: string } = {},
  ) => (
    <TextField
      id={`codeflow-${field}`}
      label={label}
      value={draft[field] as string}
      onChange={e => set({ [field]: e.target.value } as Partial<Draft>)}
      error={Boolean(err(field))}
      helperText={err(field) ?? helperText}
      fullWidth
      margin="dense"
      {...extra}
    />
  );
  const buildImages = choices.value?.buildImages ?? [];
  const credentials = choices.value?.credentials ?? [];

  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth>
      <DialogTitle>
        {codeflow ? `Edit codeflow ${codeflow.name}` : 'Create codeflow'}
      </DialogTitle>
      <DialogContent>
        {choices.error && (
          <Alert severity="error">
            The build images and credentials could not be read:{' '}
            {choices.error.message}
          </Alert>
        )}
        {conflict && (
          <Alert
            severity="warning"
            action={
              <Button onClick={reloadTheirs}>Reload their version</Button>
            }
          >
            {conflict.updatedBy} changed this codeflow at {conflict.updatedAt}{' '}
            (now version {conflict.version}); your changes were not saved.
            Reload their version and make your changes again.
          </Alert>
        )}
        {errors._ && <Alert severity="error">{errors._}</Alert>}
        {text(
          'name',
          'Name',
          'lower-case letters, digits and -, e.g. build-and-deploy',
          { required: true },
        )}
        {text(
          'repositoryUrl',
          'Repository URL',
          'https://git.example.com/team/app.git or git@git.example.com:team/app.git — no password in it',
          { required: true },
        )}
        <SourceFields
          draft={draft}
          onChange={set}
          errorOf={err}
          credentials={credentials}
          buildImages={buildImages}
        />
        <CommandsField
          id="codeflow-buildScript"
          label="Build script"
          value={draft.buildScript}
          onChange={buildScript => set({ buildScript })}
          error={err('buildScript')}
          helperText='One command per line, run in order as a non-root user; the first that fails stops the build. Quote an argument with spaces ("a b"); for a shell write sh -c "…".'
        />
        {text(
          'artifactPath',
          'Artifact path',
          'what the build leaves for the image, relative to the repository, e.g. dist or target/app.jar',
          { required: true },
        )}
        {text(
          'deployPath',
          'Deploy path',
          'where the artifact goes in the image, e.g. /app',
          { required: true },
        )}
        <CommandsField
          single
          id="codeflow-startCommand"
          label="Start command"
          value={draft.startCommand}
          onChange={startCommand => set({ startCommand })}
          error={err('startCommand')}
          helperText="how the image starts the app, run in the deploy path (which holds the artifact's contents), e.g. node server.js"
        />
        {text('port', 'Port', 'the port the app listens on', {
          required: true,
          type: 'number',
        })}
        <EnvTable
          value={draft.env}
          onChange={env => set({ env })}
          error={err('env')}
        />
        <CommandsField
          id="codeflow-preprocessingScript"
          label="Pre-processing script (optional)"
          value={draft.preprocessingScript}
          onChange={preprocessingScript => set({ preprocessingScript })}
          error={err('preprocessingScript')}
          helperText="commands run once on the runtime base image, e.g. pip install -r requirements.txt; the image is reused while they stay the same"
        />
        <FormControlLabel
          control={
            <Checkbox
              checked={draft.useCustomDockerfile}
              onChange={e => set({ useCustomDockerfile: e.target.checked })}
            />
          }
          label="Use my own Dockerfile instead of the generated one"
        />
        {draft.useCustomDockerfile && (
          <CodeEditor
            label="Custom Dockerfile"
            value={draft.customDockerfile}
            onChange={customDockerfile => set({ customDockerfile })}
            error={err('customDockerfile') ?? false}
            helperText="replaces the generated Dockerfile (no pre-processing script then)"
            minLines={8}
          />
        )}
        <TargetsEditor
          value={draft.targets}
          onChange={targets => set({ targets })}
          errors={errors}
        />
        <TriggersEditor
          manual={draft.manual}
          webhookEnabled={draft.webhookEnabled}
          rules={draft.rules}
          onChange={change => set(change)}
          errors={errors}
        />
        {Object.keys(errors).length > 0 && (
          <Typography color="error" variant="body2" role="alert">
            The codeflow was not saved: see the fields marked in red.
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={save}
          disabled={saving}
        >
          {codeflow ? 'Save' : 'Create'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
