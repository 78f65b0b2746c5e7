import type { CodeEditorLanguage } from '@internal/plugin-container-cloud-react';
import { configFileFormat } from '@internal/plugin-container-cloud-common';

/** The editor's highlighting for a file: YAML and JSON highlighted, the other formats as text. */
export function editorLanguage(fileName: string): CodeEditorLanguage {
  const format = configFileFormat(fileName);
  return format === 'yaml' || format === 'json' ? format : 'text';
}

/** What the editor says it checks on save. */
export function formatHelp(fileName: string): string {
  const format = configFileFormat(fileName);
  return format === 'text'
    ? 'Plain text: saved as it is.'
    : `${format.toUpperCase()}: checked when you save; a parse error names the line and saves nothing.`;
}

/** An error's words, whatever was thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
