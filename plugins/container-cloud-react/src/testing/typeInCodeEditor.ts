import { act } from 'react';
import { EditorView } from '@codemirror/view';

/**
 * Replaces the text of a `CodeEditor` as an edit by its user would, through the editor itself,
 * so its `onChange` runs. jsdom cannot type into CodeMirror, so tests find the editor's text box
 * as a person would (`screen.getByLabelText('Upstreams')`) and hand it here.
 * @public
 */
export function typeInCodeEditor(textbox: HTMLElement, text: string): void {
  const view = EditorView.findFromDOM(textbox);
  if (!view) {
    throw new Error(
      `typeInCodeEditor: ${
        textbox.getAttribute('aria-labelledby') ?? textbox.tagName
      } is not a CodeMirror editor`,
    );
  }
  // the edit re-renders the page that holds the text: as an event handler's update would
  act(() => {
    view.dispatch({
      changes: { from: 0, to: view.state.doc.length, insert: text },
      userEvent: 'input.type',
    });
  });
}
