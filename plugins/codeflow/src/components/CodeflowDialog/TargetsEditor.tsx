import {
  Box,
  Button,
  IconButton,
  Paper,
  TextField,
  Typography,
} from '@material-ui/core';
import DeleteIcon from '@material-ui/icons/Delete';
import { errorsUnder, FieldErrors } from '../../lib/fieldErrors';
import type { TargetDraft } from './draft';

/**
 * The services a successful build rolls to its new image: each a Component, the environment it
 * stands for, and the clusters and namespaces (its binding's placements) to roll.
 */
export function TargetsEditor(props: {
  value: TargetDraft[];
  onChange(targets: TargetDraft[]): void;
  errors: FieldErrors;
}) {
  const { value, onChange, errors } = props;
  const set = (i: number, change: Partial<TargetDraft>) =>
    onChange(value.map((t, j) => (j === i ? { ...t, ...change } : t)));
  const general = errors.targets;
  return (
    <Box mb={1}>
      <Typography variant="subtitle2">Roll out to</Typography>
      <Typography variant="caption" color="textSecondary">
        After a successful build, these services get the new image in these
        clusters and namespaces. None: the codeflow only builds and pushes.
      </Typography>
      {value.map((t, i) => {
        const placementErrors = t.placements.map((_, j) =>
          errorsUnder(errors, `targets.${i}.placements.${j}`),
        );
        const targetError = [
          errors[`targets.${i}`],
          errors[`targets.${i}.placements`],
        ]
          .filter(Boolean)
          .join('; ');
        return (
          <Paper
            key={i}
            variant="outlined"
            style={{ padding: 8, marginTop: 8 }}
          >
            <Box display="flex" alignItems="flex-start" style={{ gap: 8 }}>
              <TextField
                id={`target-${i}-service`}
                label={`Target ${i + 1} service`}
                helperText={
                  errors[`targets.${i}.service`] ??
                  'e.g. component:default/payments-api'
                }
                error={Boolean(errors[`targets.${i}.service`])}
                value={t.service}
                onChange={e => set(i, { service: e.target.value })}
                margin="dense"
                style={{ flex: 2 }}
              />
              <TextField
                id={`target-${i}-environment`}
                label={`Target ${i + 1} environment`}
                helperText={errors[`targets.${i}.environment`] ?? 'e.g. test'}
                error={Boolean(errors[`targets.${i}.environment`])}
                value={t.environment}
                onChange={e => set(i, { environment: e.target.value })}
                margin="dense"
                style={{ flex: 1 }}
              />
              <IconButton
                aria-label={`Remove target ${i + 1}`}
                onClick={() => onChange(value.filter((_, j) => j !== i))}
              >
                <DeleteIcon />
              </IconButton>
            </Box>
            {t.placements.map((p, j) => (
              <Box
                key={j}
                display="flex"
                alignItems="flex-start"
                style={{ gap: 8 }}
              >
                <TextField
                  id={`target-${i}-cluster-${j}`}
                  label={`Target ${i + 1} cluster ${j + 1}`}
                  value={p.cluster}
                  error={Boolean(placementErrors[j])}
                  helperText={placementErrors[j] ?? 'e.g. local-a'}
                  onChange={e =>
                    set(i, {
                      placements: t.placements.map((q, k) =>
                        k === j ? { ...q, cluster: e.target.value } : q,
                      ),
                    })
                  }
                  margin="dense"
                />
                <TextField
                  id={`target-${i}-namespace-${j}`}
                  label={`Target ${i + 1} namespace ${j + 1}`}
                  value={p.namespace}
                  error={Boolean(placementErrors[j])}
                  helperText="e.g. payments"
                  onChange={e =>
                    set(i, {
                      placements: t.placements.map((q, k) =>
                        k === j ? { ...q, namespace: e.target.value } : q,
                      ),
                    })
                  }
                  margin="dense"
                />
                <IconButton
                  aria-label={`Remove target ${i + 1} placement ${j + 1}`}
                  onClick={() =>
                    set(i, {
                      placements: t.placements.filter((_, k) => k !== j),
                    })
                  }
                >
                  <DeleteIcon />
                </IconButton>
              </Box>
            ))}
            {targetError && (
              <Typography variant="caption" color="error" role="alert">
                {targetError}
              </Typography>
            )}
            <Button
              size="small"
              onClick={() =>
                set(i, {
                  placements: [...t.placements, { cluster: '', namespace: '' }],
                })
              }
            >
              Add cluster and namespace
            </Button>
          </Paper>
        );
      })}
      {general && (
        <Typography variant="caption" color="error" role="alert">
          {general}
        </Typography>
      )}
      <Box>
        <Button
          size="small"
          onClick={() =>
            onChange([
              ...value,
              {
                service: '',
                environment: '',
                placements: [{ cluster: '', namespace: '' }],
              },
            ])
          }
        >
          Add target
        </Button>
      </Box>
    </Box>
  );
}
