/**
 * Reads a dotted path (`owner.id`, `attributes.name`) from a JSON value. Arrays on the way are
 * walked element by element, so `dependencies.id` over `{dependencies: [{id: 'a'}, {id: 'b'}]}`
 * gives `['a', 'b']`.
 */
export function readPath(value: unknown, path: string): unknown {
  if (!path) return value;
  let current: unknown = value;
  for (const segment of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      current = current
        .map(item => readPath(item, segment))
        .flat()
        .filter(item => item !== undefined && item !== null);
    } else if (typeof current === 'object') {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

/** A scalar as a trimmed string; '' and non-scalars become undefined. */
export function asString(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    return value.length === 1 ? asString(value[0]) : undefined;
  }
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    const text = String(value).trim();
    return text === '' ? undefined : text;
  }
  return undefined;
}

/** A list of strings from an array, or from one comma-separated string. */
export function asStringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value)
    ? value.map(asString)
    : (asString(value)?.split(',') ?? []).map(item => asString(item));
  const strings = items.filter((item): item is string => item !== undefined);
  return strings.length > 0 ? strings : undefined;
}
