import { useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  TextField,
} from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  CodeflowRun,
  CodeflowRunRequest,
  CodeflowView,
} from '@internal/plugin-container-cloud-common';
import { codeflowApiRef } from '../../api/CodeflowClient';
import { errorsUnder, FieldErrors, fieldErrors } from '../../lib/fieldErrors';

/** The Run button's dialog: which branch or tag, which commit, which environment to roll. */
export function RunDialog(props: {
  entity: CompoundEntityRef;
  codeflow: CodeflowView;
  onClose(): void;
  onStarted(run: CodeflowRun): void;
}) {
  const { entity, codeflow, onClose, onStarted } = props;
  const api = useApi(codeflowApiRef);
  const environments = [...new Set(codeflow.targets.map(t => t.environment))];
  const isPattern = /[*]/.test(codeflow.ref.pattern);
  const [kind, setKind] = useState(codeflow.ref.kind);
  const [name, setName] = useState(isPattern ? '' : codeflow.ref.pattern);
  const [commit, setCommit] = useState('');
  const [environment, setEnvironment] = useState(environments[0] ?? '');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [starting, setStarting] = useState(false);

  async function start() {
    const request: CodeflowRunRequest = {};
    if (name.trim()) request.ref = { kind, name: name.trim() };
    if (commit.trim()) request.commit = commit.trim();
    if (environment) request.environment = environment;
    setStarting(true);
    setErrors({});
    try {
      onStarted(await api.startRun(entity, codeflow.id, request));
    } catch (error) {
      setErrors(fieldErrors((error as Error).message));
    } finally {
      setStarting(false);
    }
  }

  return (
    <Dialog open onClose={onClose} maxWidth="sm" fullWidth>
      <DialogTitle>Run {codeflow.name}</DialogTitle>
      <DialogContent>
        {errors._ && <Alert severity="error">{errors._}</Alert>}
        <TextField
          select
          id="run-ref-kind"
          label="Build"
          value={kind}
          onChange={e => setKind(e.target.value as 'branch' | 'tag')}
          margin="dense"
          fullWidth
        >
          <MenuItem value="branch">a branch</MenuItem>
          <MenuItem value="tag">a tag</MenuItem>
        </TextField>
        <TextField
          id="run-ref-name"
          label={kind === 'branch' ? 'Branch' : 'Tag'}
          value={name}
          onChange={e => setName(e.target.value)}
          error={Boolean(errorsUnder(errors, 'ref'))}
          helperText={
            errorsUnder(errors, 'ref') ??
            (isPattern
              ? `the codeflow builds ${codeflow.ref.pattern}: name one`
              : `default: ${codeflow.ref.pattern}`)
          }
          margin="dense"
          fullWidth
        />
        <TextField
          id="run-commit"
          label="Commit (optional)"
          value={commit}
          onChange={e => setCommit(e.target.value)}
          error={Boolean(errors.commit)}
          helperText={
            errors.commit ??
            'a commit sha of that branch; default: its newest commit'
          }
          margin="dense"
          fullWidth
        />
        <TextField
          select
          id="run-environment"
          label="Environment to roll out"
          value={environment}
          onChange={e => setEnvironment(e.target.value)}
          error={Boolean(errors.environment)}
          helperText={
            errors.environment ??
            (environments.length
              ? 'its targets get the new image after the build'
              : 'the codeflow has no targets: it builds and pushes only')
          }
          margin="dense"
          fullWidth
          disabled={environments.length === 0}
        >
          {environments.map(e => (
            <MenuItem key={e} value={e}>
              {e}
            </MenuItem>
          ))}
        </TextField>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={start}
          disabled={starting}
        >
          Start run
        </Button>
      </DialogActions>
    </Dialog>
  );
}
