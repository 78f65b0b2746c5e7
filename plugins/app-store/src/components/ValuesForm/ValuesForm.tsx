import Box from '@material-ui/core/Box';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';

/** The part of JSON Schema a chart's values.schema.json uses for its fields. */
export interface ValuesSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  properties?: Record<string, ValuesSchema>;
}

export type Values = Record<string, unknown>;

/** `values` with `path` set to `value`, or removed (and its empty parents) when undefined. */
export function setValueAt(
  values: Values,
  path: string[],
  value: unknown,
): Values {
  const [key, ...rest] = path;
  const next: Values = { ...values };
  if (rest.length === 0) {
    if (value === undefined) delete next[key];
    else next[key] = value;
    return next;
  }
  const child = setValueAt((values[key] as Values) ?? {}, rest, value);
  if (Object.keys(child).length === 0) delete next[key];
  else next[key] = child;
  return next;
}

function valueAt(values: Values, path: string[]): unknown {
  let at: unknown = values;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Values)[key];
  }
  return at;
}

function typeOf(schema: ValuesSchema): string | undefined {
  const type = Array.isArray(schema.type)
    ? schema.type.find(t => t !== 'null')
    : schema.type;
  if (type) return type;
  if (schema.properties) return 'object';
  if (schema.enum) return 'string';
  return undefined;
}

function label(key: string, schema: ValuesSchema) {
  return schema.title ?? key;
}

interface FieldProps {
  path: string[];
  schema: ValuesSchema;
  values: Values;
  errors: Record<string, string>;
  onChange: (values: Values) => void;
  /** dotted paths of values the form leaves out */
  exclude: string[];
}

/** One value: a select for an enum, a checkbox for a boolean, a text or number field otherwise. */
function Field(props: FieldProps) {
  const { path, schema, values, errors, onChange } = props;
  const key = path[path.length - 1];
  const id = `values-${path.join('-')}`;
  const error = errors[`values.${path.join('.')}`];
  const given = valueAt(values, path);
  const type = typeOf(schema);
  const change = (value: unknown) => onChange(setValueAt(values, path, value));
  const defaultText =
    schema.default === undefined ? '' : `default ${String(schema.default)}`;
  const help = [schema.description, defaultText].filter(Boolean).join(' — ');

  if (type === 'object') {
    return (
      <Box component="fieldset" border={0} p={0} m={0} mt={1}>
        <Typography variant="subtitle2">{label(key, schema)}</Typography>
        {schema.description && (
          <Typography variant="caption" color="textSecondary">
            {schema.description}
          </Typography>
        )}
        <Box pl={2}>
          <FieldList {...props} />
        </Box>
      </Box>
    );
  }
  if (type === 'boolean') {
    const checked =
      given === undefined ? schema.default === true : given === true;
    return (
      <Box>
        <FormControlLabel
          control={
            <Checkbox
              id={id}
              checked={checked}
              onChange={e =>
                change(
                  e.target.checked === (schema.default === true)
                    ? undefined
                    : e.target.checked,
                )
              }
            />
          }
          label={label(key, schema)}
        />
        <FormHelperText error={!!error}>
          {error ?? schema.description}
        </FormHelperText>
      </Box>
    );
  }
  if (schema.enum) {
    return (
      <TextField
        id={id}
        select
        fullWidth
        margin="dense"
        label={label(key, schema)}
        value={given === undefined ? '' : String(given)}
        onChange={e => {
          const picked = schema.enum!.find(v => String(v) === e.target.value);
          change(
            picked === undefined || picked === schema.default
              ? undefined
              : picked,
          );
        }}
        error={!!error}
        helperText={error ?? help}
      >
        <MenuItem value="">
          <em>
            chart default
            {schema.default !== undefined ? ` (${String(schema.default)})` : ''}
          </em>
        </MenuItem>
        {schema.enum.map(v => (
          <MenuItem key={String(v)} value={String(v)}>
            {String(v)}
          </MenuItem>
        ))}
      </TextField>
    );
  }
  const numeric = type === 'integer' || type === 'number';
  if (!numeric && type !== 'string') return null; // arrays and the like: the chart's values.yaml
  return (
    <TextField
      id={id}
      fullWidth
      margin="dense"
      type={numeric ? 'number' : 'text'}
      label={label(key, schema)}
      placeholder={
        schema.default === undefined ? undefined : String(schema.default)
      }
      value={given === undefined ? '' : String(given)}
      inputProps={
        numeric ? { min: schema.minimum, max: schema.maximum } : undefined
      }
      onChange={e => {
        const text = e.target.value;
        if (text === '') change(undefined);
        else change(numeric ? Number(text) : text);
      }}
      error={!!error}
      helperText={error ?? help}
    />
  );
}

/** Whether a property would show any field: scalars do, objects if one of theirs does. */
function shows(
  schema: ValuesSchema,
  path: string[],
  exclude: string[],
): boolean {
  if (exclude.includes(path.join('.'))) return false;
  const type = typeOf(schema);
  if (type === 'object') {
    return Object.entries(schema.properties ?? {}).some(([key, child]) =>
      shows(child, [...path, key], exclude),
    );
  }
  return (
    !!schema.enum ||
    type === 'boolean' ||
    type === 'string' ||
    type === 'integer' ||
    type === 'number'
  );
}

function FieldList(props: FieldProps) {
  const { schema, path, exclude } = props;
  return (
    <>
      {Object.entries(schema.properties ?? {})
        .filter(([key, child]) => shows(child, [...path, key], exclude))
        .map(([key, child]) => (
          <Field key={key} {...props} path={[...path, key]} schema={child} />
        ))}
    </>
  );
}

/**
 * The chart's own values, generated from its values.schema.json: one field per property (nested
 * objects as groups). Only what the user sets is kept, so the chart's defaults stay the chart's;
 * `exclude` names the top-level properties the install form asks for itself.
 */
export function ValuesForm(props: {
  schema: ValuesSchema;
  values: Values;
  onChange: (values: Values) => void;
  /** field errors from the server, keyed `values.a.b` */
  errors?: Record<string, string>;
  /** dotted paths (`storage.size`) the install form asks for itself */
  exclude?: string[];
}) {
  return (
    <FieldList
      path={[]}
      schema={props.schema}
      values={props.values}
      errors={props.errors ?? {}}
      onChange={props.onChange}
      exclude={props.exclude ?? []}
    />
  );
}

/** Whether the schema has any property the form would show beside `exclude`. */
export function hasValueFields(
  schema: ValuesSchema | undefined,
  exclude: string[],
) {
  return !!schema && shows(schema, [], exclude);
}
