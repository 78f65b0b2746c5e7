/**
 * Frontend pieces the Container Cloud pages share: time-series charts of container metrics,
 * unified diffs of config versions, a text editor with YAML and JSON modes (CodeMirror), ages in
 * words, and the one way clients call their backend (`fetchJson`, `ContainerCloudApiError`).
 *
 * @packageDocumentation
 */

export { UsageChart, formatValue } from './components/UsageChart';
export { FileDiffView } from './components/FileDiffView';
export { CodeEditor } from './components/CodeEditor';
export type {
  CodeEditorLanguage,
  CodeEditorProps,
} from './components/CodeEditor';
// the diff's wire types live with the other wire types; pages import them from here too
export type {
  DiffLine,
  FileDiff,
} from '@internal/plugin-container-cloud-common';
export { age } from './format/age';
export { ContainerCloudApiError } from './api/ContainerCloudApiError';
export { fetchBackend, fetchJson } from './api/fetchJson';
export type { BackendApis, BackendRequest } from './api/fetchJson';
