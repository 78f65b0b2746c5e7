import type { CSSProperties } from 'react';
import { MenuItem, TextField } from '@material-ui/core';

/** A drop-down of plain strings, each shown as itself. */
export interface SelectFieldProps {
  label: string;
  value: string;
  /** The strings to choose from, in order. */
  options: readonly string[];
  onChange(value: string): void;
  /** Label of a first option whose value is the empty string (a filter's "all"). */
  emptyOption?: string;
  id?: string;
  fullWidth?: boolean;
  margin?: 'normal' | 'dense' | 'none';
  style?: CSSProperties;
}

/**
 * A Material UI select text field over strings: dialogs pick a container, a cluster or an image
 * with it, the history card filters with it.
 */
export function SelectField(props: SelectFieldProps) {
  const { options, emptyOption, onChange, ...field } = props;
  return (
    <TextField select {...field} onChange={e => onChange(e.target.value)}>
      {emptyOption !== undefined && <MenuItem value="">{emptyOption}</MenuItem>}
      {options.map(option => (
        <MenuItem key={option} value={option}>
          {option}
        </MenuItem>
      ))}
    </TextField>
  );
}
