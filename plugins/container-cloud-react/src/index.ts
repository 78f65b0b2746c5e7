/**
 * Frontend pieces the Container Cloud pages share: time-series charts of container metrics,
 * unified diffs of config versions, and ages in words.
 *
 * @packageDocumentation
 */

export { UsageChart, formatValue } from './components/UsageChart';
export { FileDiffView } from './components/FileDiffView';
export type { DiffLine, FileDiff } from './components/FileDiffView';
export { age } from './format/age';
