import { useMemo } from 'react';
import CodeMirror from '@uiw/react-codemirror';
import { EditorView } from '@codemirror/view';
import type { Extension } from '@codemirror/state';
import { StreamLanguage } from '@codemirror/language';
import { yaml } from '@codemirror/legacy-modes/mode/yaml';
import { json } from '@codemirror/lang-json';
import type { CodeEditorLanguage } from './CodeEditor';

function languageExtension(language: CodeEditorLanguage): Extension[] {
  if (language === 'json') return [json()];
  if (language === 'yaml') return [StreamLanguage.define(yaml)];
  return [];
}

/**
 * The CodeMirror part of `CodeEditor`, in a module of its own so that the app loads CodeMirror
 * (its own chunk, shared with the scaffolder) only when an editor is shown.
 */
export default function CodeMirrorField(props: {
  value: string;
  onChange?(value: string): void;
  language: CodeEditorLanguage;
  readOnly: boolean;
  minHeight: string;
  /** attributes of the text box (CodeMirror's content element) */
  contentAttributes: Record<string, string>;
}) {
  const { value, onChange, language, readOnly, minHeight, contentAttributes } =
    props;
  const attributesKey = JSON.stringify(contentAttributes);
  const extensions = useMemo(
    () => [
      ...languageExtension(language),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of(JSON.parse(attributesKey)),
    ],
    [language, attributesKey],
  );
  return (
    <CodeMirror
      value={value}
      onChange={text => onChange?.(text)}
      extensions={extensions}
      readOnly={readOnly}
      editable={!readOnly}
      indentWithTab={false}
      minHeight={minHeight}
      basicSetup={{
        foldGutter: false,
        autocompletion: false,
        highlightActiveLine: false,
        highlightActiveLineGutter: false,
        searchKeymap: false,
      }}
    />
  );
}
