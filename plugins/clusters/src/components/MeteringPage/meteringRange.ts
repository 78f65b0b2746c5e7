import type { MeteringRangeQuery } from '@internal/plugin-container-cloud-common';

/** The ranges the metering pages offer. */
export const RANGES = {
  day: { label: 'Last 24 hours', days: 1 },
  week: { label: 'Last 7 days', days: 7 },
  month: { label: 'Last 30 days', days: 30 },
} as const;
export type RangeName = keyof typeof RANGES;

/** The query of a named range, ending now. */
export function rangeQuery(
  name: RangeName,
  now = Date.now(),
): MeteringRangeQuery {
  return {
    from: new Date(now - RANGES[name].days * 86_400_000).toISOString(),
    to: new Date(now).toISOString(),
  };
}

/** Saves a blob as a file, as a download link would. */
export function saveBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(url);
}
