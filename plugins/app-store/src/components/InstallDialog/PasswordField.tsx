import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';

/** A generated password (the chart makes one) or one the user gives; undefined: generated. */
export function PasswordField(props: {
  value: string | undefined;
  onChange: (password: string | undefined) => void;
  error?: string;
}) {
  const { value, onChange, error } = props;
  const given = value !== undefined;
  return (
    <>
      <RadioGroup
        row
        aria-label="Password source"
        value={given ? 'give' : 'generate'}
        onChange={e => onChange(e.target.value === 'give' ? '' : undefined)}
      >
        <FormControlLabel
          value="generate"
          control={<Radio />}
          label="Generate a password"
        />
        <FormControlLabel value="give" control={<Radio />} label="Give one" />
      </RadioGroup>
      {given ? (
        <TextField
          id="install-password"
          label="Password"
          type="password"
          fullWidth
          margin="dense"
          autoComplete="new-password"
          value={value}
          onChange={e => onChange(e.target.value)}
          error={!!error}
          helperText={error ?? 'at least 12 printable characters, no spaces'}
        />
      ) : (
        error && <FormHelperText error>{error}</FormHelperText>
      )}
    </>
  );
}
