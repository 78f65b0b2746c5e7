/** How long ago `since` was, in the largest fitting unit: 45s, 12m, 5h, 3d. @public */
export function age(since?: string): string {
  if (!since) return '';
  const seconds = Math.max(0, (Date.now() - Date.parse(since)) / 1000);
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}
