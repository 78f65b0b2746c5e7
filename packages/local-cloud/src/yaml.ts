/**
 * Writes plain data (objects, arrays, strings, numbers, booleans) as YAML. Strings are emitted
 * JSON-quoted, which YAML reads back verbatim; enough for the config files local-cloud writes
 * without loading a YAML library into the command.
 */
export function toYaml(value: unknown, indent = 0): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}[]\n`;
    return value
      .map(item => {
        if (isScalar(item)) return `${pad}- ${scalar(item)}\n`;
        const inner = toYaml(item, indent + 2);
        return `${pad}- ${inner.slice(indent + 2)}`;
      })
      .join('');
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return `${pad}{}\n`;
    return entries
      .map(([key, v]) => {
        const k = /^[A-Za-z0-9_./-]+$/.test(key) ? key : JSON.stringify(key);
        if (isScalar(v)) return `${pad}${k}: ${scalar(v)}\n`;
        if (Array.isArray(v) && v.length === 0) return `${pad}${k}: []\n`;
        if (!Array.isArray(v) && Object.keys(v as object).length === 0) {
          return `${pad}${k}: {}\n`;
        }
        return `${pad}${k}:\n${toYaml(v, indent + 2)}`;
      })
      .join('');
  }
  return `${pad}${scalar(value)}\n`;
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

function scalar(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
