import {
  Box,
  Button,
  IconButton,
  TextField,
  Typography,
} from '@material-ui/core';
import DeleteIcon from '@material-ui/icons/Delete';

type Env = Array<{ name: string; value: string }>;

/** The image's environment variables: a name and a one-line value per row. */
export function EnvTable(props: {
  value: Env;
  onChange(env: Env): void;
  error?: string;
}) {
  const { value, onChange, error } = props;
  const set = (i: number, change: Partial<Env[number]>) =>
    onChange(value.map((e, j) => (j === i ? { ...e, ...change } : e)));
  return (
    <Box mb={1}>
      <Typography variant="subtitle2">Environment variables</Typography>
      {value.map((e, i) => (
        <Box key={i} display="flex" alignItems="center" style={{ gap: 8 }}>
          <TextField
            id={`env-${i}-name`}
            label={`Variable ${i + 1} name`}
            value={e.name}
            onChange={ev => set(i, { name: ev.target.value })}
            margin="dense"
          />
          <TextField
            id={`env-${i}-value`}
            label={`Variable ${i + 1} value`}
            value={e.value}
            onChange={ev => set(i, { value: ev.target.value })}
            margin="dense"
            style={{ flex: 1 }}
          />
          <IconButton
            aria-label={`Remove variable ${i + 1}`}
            onClick={() => onChange(value.filter((_, j) => j !== i))}
          >
            <DeleteIcon />
          </IconButton>
        </Box>
      ))}
      {error && (
        <Typography variant="caption" color="error" role="alert">
          {error}
        </Typography>
      )}
      <Box>
        <Button
          size="small"
          onClick={() => onChange([...value, { name: '', value: '' }])}
        >
          Add variable
        </Button>
      </Box>
    </Box>
  );
}
