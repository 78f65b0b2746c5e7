/**
 * Ties the backend's words to the form field they are about. The backend names fields as paths,
 * in its 400 answers (`invalid domain: serverNames.0: …; listen.0.port: …`) and in nginx -t
 * failures (`nginx -t failed for domain 'shop' at locations[1]: …`). Returns top-level field →
 * message; what names no field is under `_`.
 */
export function fieldErrors(message: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const add = (field: string, text: string) => {
    errors[field] = errors[field] ? `${errors[field]}; ${text}` : text;
  };
  const nginx =
    /^nginx -t failed for domain '[^']*' at ([A-Za-z]+)[^:]*: (.*)$/.exec(
      message,
    );
  if (nginx) {
    add(nginx[1], `nginx -t: ${nginx[2]}`);
    return errors;
  }
  const invalid = /^invalid [a-z ]+: (.*)$/s.exec(message);
  if (!invalid) {
    add('_', message);
    return errors;
  }
  for (const problem of invalid[1].split('; ')) {
    const at = /^([A-Za-z]+)(?:\.[^:\s]*)?: (.*)$/s.exec(problem);
    if (at) add(at[1], problem);
    else add('_', problem);
  }
  return errors;
}
