import { Box, MenuItem, TextField } from '@material-ui/core';
import type { BuildImage } from '@internal/plugin-container-cloud-common';
import type { CodeflowCredential } from '../../api/CodeflowClient';
import type { Draft } from './draft';

/** Where the code comes from and what builds it: credentials, branch or tags, build image. */
export function SourceFields(props: {
  draft: Draft;
  onChange(change: Partial<Draft>): void;
  /** the server's words about a field (and the paths under it) */
  errorOf(field: string): string | undefined;
  credentials: CodeflowCredential[];
  buildImages: BuildImage[];
}) {
  const { draft, errorOf: err, credentials, buildImages } = props;
  const set = props.onChange;
  return (
    <>
      <TextField
        select
        id="codeflow-credentials"
        label="Credentials"
        value={draft.credentials}
        onChange={e => set({ credentials: e.target.value })}
        error={Boolean(err('credentials'))}
        helperText={
          err('credentials') ?? 'how the platform signs in to the repository'
        }
        fullWidth
        margin="dense"
      >
        <MenuItem value="">None (a public repository)</MenuItem>
        {credentials.map(c => (
          <MenuItem key={c.name} value={c.name}>
            {c.name}
            {c.description ? ` — ${c.description}` : ''}
          </MenuItem>
        ))}
      </TextField>
      <Box display="flex" style={{ gap: 8 }}>
        <TextField
          select
          id="codeflow-ref-kind"
          label="Build from"
          value={draft.refKind}
          onChange={e => set({ refKind: e.target.value as Draft['refKind'] })}
          margin="dense"
          style={{ minWidth: 140 }}
        >
          <MenuItem value="branch">a branch</MenuItem>
          <MenuItem value="tag">tags</MenuItem>
        </TextField>
        <TextField
          id="codeflow-ref-pattern"
          label={draft.refKind === 'branch' ? 'Branch' : 'Tag pattern'}
          value={draft.refPattern}
          onChange={e => set({ refPattern: e.target.value })}
          error={Boolean(err('ref'))}
          helperText={
            err('ref') ?? 'e.g. main, release/* or v*; * matches any characters'
          }
          margin="dense"
          fullWidth
        />
      </Box>
      <TextField
        select
        id="codeflow-buildImage"
        label="Build image"
        value={draft.buildImage}
        onChange={e => set({ buildImage: e.target.value })}
        error={Boolean(err('buildImage'))}
        helperText={
          err('buildImage') ??
          'the tools the build script runs with, and the base of the image'
        }
        fullWidth
        margin="dense"
      >
        {buildImages.map(b => (
          <MenuItem key={b.id} value={b.id}>
            {b.title} ({b.id})
          </MenuItem>
        ))}
      </TextField>
    </>
  );
}
