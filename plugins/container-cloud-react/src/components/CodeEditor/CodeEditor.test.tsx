import { useState } from 'react';
import { render, screen } from '@testing-library/react';
import { EditorView } from '@codemirror/view';
import { syntaxTree } from '@codemirror/language';
import { CodeEditor } from './CodeEditor';
import { typeInCodeEditor } from '../../testing';

/** The editor's view, once CodeMirror has loaded. */
async function editorView(label: string): Promise<EditorView> {
  const view = EditorView.findFromDOM(await screen.findByLabelText(label));
  if (!view) throw new Error(`no editor labelled ${label}`);
  return view;
}

/** Names of the syntax nodes the editor's language parsed the text into. */
function nodeNames(view: EditorView): string[] {
  const names: string[] = [];
  syntaxTree(view.state).iterate({
    enter: node => {
      names.push(node.name);
    },
  });
  return names;
}

describe('CodeEditor', () => {
  it('shows its text in a text box named by its label and described by its helper text', async () => {
    render(
      <CodeEditor
        label="Upstreams"
        helperText="one per line"
        value={'a:80\nb:80'}
        onChange={jest.fn()}
      />,
    );

    const textbox = await screen.findByRole('textbox', { name: 'Upstreams' });
    expect(screen.getByLabelText('Upstreams')).toBe(textbox);
    expect(textbox).toHaveTextContent('a:80b:80');
    expect((await editorView('Upstreams')).state.doc.toString()).toBe(
      'a:80\nb:80',
    );
    expect(textbox).toHaveAccessibleDescription('one per line');
    expect(textbox).toHaveAttribute('aria-multiline', 'true');
  });

  it('uses the id it is given for its text box', async () => {
    render(<CodeEditor id="env" label="Env" value="" />);

    expect(await screen.findByRole('textbox', { name: 'Env' })).toHaveAttribute(
      'id',
      'env',
    );
  });

  it('reports an edit made through the editor with the whole new text', async () => {
    const onChange = jest.fn();
    render(<CodeEditor label="Env" value="A=1" onChange={onChange} />);

    const view = await editorView('Env');
    view.dispatch({ changes: { from: 3, insert: '\nB=2' } });

    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith('A=1\nB=2');
  });

  it('keeps what was typed when its parent holds the value', async () => {
    function Holder() {
      const [text, setText] = useState('');
      return (
        <>
          <CodeEditor label="Env" value={text} onChange={setText} />
          <output aria-label="held">{text}</output>
        </>
      );
    }
    render(<Holder />);

    typeInCodeEditor(await screen.findByLabelText('Env'), 'A=1\nB=2');

    expect(screen.getByLabelText('held')).toHaveTextContent('A=1 B=2', {
      normalizeWhitespace: true,
    });
    expect((await editorView('Env')).state.doc.toString()).toBe('A=1\nB=2');
  });

  it('shows a new value its parent gives it', async () => {
    const { rerender } = render(<CodeEditor label="Env" value="A=1" />);
    expect((await editorView('Env')).state.doc.toString()).toBe('A=1');
    rerender(<CodeEditor label="Env" value="B=2" />);

    expect((await editorView('Env')).state.doc.toString()).toBe('B=2');
  });

  it('parses JSON with the JSON language', async () => {
    render(<CodeEditor label="Body" language="json" value='{"a": [1]}' />);

    const names = nodeNames(await editorView('Body'));
    expect(names).toEqual(
      expect.arrayContaining(['JsonText', 'Object', 'Property', 'Array']),
    );
  });

  it('highlights YAML with the YAML mode', async () => {
    render(
      <CodeEditor label="Manifest" language="yaml" value={'a: 1\n# note'} />,
    );

    // the YAML stream parser's tokens: the key, its colon, the number and the comment
    expect(nodeNames(await editorView('Manifest'))).toEqual([
      'Document',
      'atom',
      'meta',
      'number',
      'comment',
    ]);
  });

  it('parses nothing in plain text', async () => {
    render(<CodeEditor label="Env" value='{"a": 1}' />);

    expect(nodeNames(await editorView('Env'))).toEqual([]);
  });

  it('shows its error instead of the helper text and marks the text box invalid', async () => {
    render(
      <CodeEditor
        label="Env"
        helperText="NAME=value"
        error="line 2 has no name"
        value="=1"
      />,
    );

    const textbox = await screen.findByRole('textbox', { name: 'Env' });
    expect(textbox).toBeInvalid();
    expect(textbox).toHaveAccessibleDescription('line 2 has no name');
    expect(screen.queryByText('NAME=value')).not.toBeInTheDocument();
  });

  it('does not let a read-only text be changed', async () => {
    render(<CodeEditor label="Env" value="A=1" readOnly />);

    const textbox = await screen.findByRole('textbox', { name: 'Env' });
    expect(textbox).toHaveAttribute('contenteditable', 'false');
    expect((await editorView('Env')).state.readOnly).toBe(true);
  });
});
