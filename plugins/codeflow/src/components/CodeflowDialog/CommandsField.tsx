import { Box, Chip, TextField, Typography } from '@material-ui/core';
import { parseCommandLine } from '../../lib/commandLine';

/**
 * Commands typed one per line (or one line only), and under them each line as the argument list
 * it becomes: the backend runs the program with these arguments, without a shell.
 */
export function CommandsField(props: {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  helperText: string;
  error?: string;
  /** one command only (the start command) */
  single?: boolean;
}) {
  const { id, label, value, onChange, helperText, error, single } = props;
  const lines = value
    .split('\n')
    .map((line, i) => ({ line, number: i + 1 }))
    .filter(l => l.line.trim());
  return (
    <Box mb={1}>
      <TextField
        id={id}
        label={label}
        value={value}
        onChange={e =>
          onChange(single ? e.target.value.replace(/\n/g, ' ') : e.target.value)
        }
        multiline={!single}
        minRows={single ? undefined : 3}
        fullWidth
        margin="dense"
        error={Boolean(error)}
        helperText={error ?? helperText}
        inputProps={{ spellCheck: false, style: { fontFamily: 'monospace' } }}
      />
      {lines.length > 0 && (
        <Box
          component="ol"
          aria-label={`${label} as arguments`}
          style={{ margin: 0, paddingLeft: 24 }}
        >
          {lines.map(({ line, number }) => {
            const parsed = parseCommandLine(line);
            return (
              <li key={number}>
                {'error' in parsed ? (
                  <Typography variant="caption" color="error">
                    line {number}: {parsed.error}
                  </Typography>
                ) : (
                  <span>
                    {parsed.argv.map((arg, i) => (
                      <Chip
                        key={i}
                        size="small"
                        variant={i === 0 ? 'default' : 'outlined'}
                        label={arg === '' ? '""' : arg}
                        style={{ marginRight: 4, fontFamily: 'monospace' }}
                      />
                    ))}
                  </span>
                )}
              </li>
            );
          })}
        </Box>
      )}
    </Box>
  );
}
