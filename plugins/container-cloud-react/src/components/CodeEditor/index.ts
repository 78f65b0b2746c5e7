export { CodeEditor } from './CodeEditor';
export type { CodeEditorLanguage, CodeEditorProps } from './CodeEditor';
