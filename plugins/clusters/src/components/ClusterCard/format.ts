import type { ResourceAmounts } from '@internal/plugin-container-cloud-common';

/** Cores with up to two decimals: `1.25 cores`, `1 core`, `150m`. */
export function formatCores(cores: number): string {
  if (cores < 1) return `${Math.round(cores * 1000)}m`;
  const value = Number(cores.toFixed(2));
  return `${value} ${value === 1 ? 'core' : 'cores'}`;
}

/** Bytes in binary units: `512 MiB`, `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number(value.toFixed(1))} ${units[unit]}`;
}

/** `cpu 150m, memory 96 MiB`. */
export function formatAmounts(amounts: ResourceAmounts): string {
  return `cpu ${formatCores(amounts.cpuCores)}, memory ${formatBytes(
    amounts.memoryBytes,
  )}`;
}
