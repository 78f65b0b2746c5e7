const FACTORS: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY =
  /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/**
 * A Kubernetes quantity (`500m`, `1.5`, `512Mi`, `1G`, `1e3`) as a number of its base unit
 * (cores, bytes); undefined for what is no quantity (missing, empty, unknown suffix).
 * The one parser of quantities for every Container Cloud plugin, frontend and backend.
 * @public
 */
export function parseQuantity(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const [, number, exponent, suffix = ''] = match;
  const value = exponent
    ? Number(number) * 10 ** Number(exponent.slice(1))
    : Number(number) * FACTORS[suffix];
  return Number.isFinite(value) ? value : undefined;
}
