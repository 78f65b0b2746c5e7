/**
 * Ties a 400's words to the form's fields. The backend names each problem by its path
 * (`invalid codeflow: port: port is between 1 and 65535; targets.0.placements.1: …`, or
 * `invalid request: name is required`): the answer maps each path to its message; what names no
 * field is kept under `_`.
 */
export type FieldErrors = Record<string, string>;

const PATH = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*$/;

export function fieldErrors(message: string): FieldErrors {
  const errors: FieldErrors = {};
  const add = (field: string, text: string) => {
    errors[field] = errors[field] ? `${errors[field]}; ${text}` : text;
  };
  const invalid = /^invalid [a-z ]+: (.*)$/s.exec(message);
  if (!invalid) {
    // a 403 naming a target ("targets.1: you may not roll …") still belongs next to it
    const at = /^([A-Za-z][A-Za-z0-9.]*): (.*)$/s.exec(message);
    if (at && PATH.test(at[1])) add(at[1], at[2]);
    else add('_', message);
    return errors;
  }
  for (const problem of invalid[1].split('; ')) {
    const required = /^(\S+) is required$/.exec(problem);
    const at = /^([^:\s]+): (.*)$/s.exec(problem);
    if (required && PATH.test(required[1])) add(required[1], 'required');
    else if (at && PATH.test(at[1])) add(at[1], at[2]);
    else add('_', problem);
  }
  return errors;
}

/** The messages of `field` and of every path under it (`targets.0` holds `targets.0.placements.1`). */
export function errorsUnder(
  errors: FieldErrors,
  field: string,
): string | undefined {
  const found = Object.entries(errors)
    .filter(([path]) => path === field || path.startsWith(`${field}.`))
    .map(([path, text]) => (path === field ? text : `${path}: ${text}`));
  return found.length ? found.join('; ') : undefined;
}
