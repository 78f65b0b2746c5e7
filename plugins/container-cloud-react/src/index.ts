/**
 * Frontend pieces the Container Cloud pages share: time-series charts of container metrics,
 * unified diffs of config versions, and ages in words.
 *
 * @packageDocumentation
 */

export { UsageChart, formatValue } from './components/UsageChart';
export { FileDiffView } from './components/FileDiffView';
// the diff's wire types live with the other wire types; pages import them from here too
export type {
  DiffLine,
  FileDiff,
} from '@internal/plugin-container-cloud-common';
export { age } from './format/age';
