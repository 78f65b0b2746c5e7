import { lazy, Suspense, useId } from 'react';
import { FormControl, FormHelperText, FormLabel } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';

// CodeMirror and its languages are a chunk of their own, fetched when the first editor is shown
const CodeMirrorField = lazy(() => import('./CodeMirrorField'));

/**
 * What {@link CodeEditor} highlights: YAML, JSON or plain text.
 * @public
 */
export type CodeEditorLanguage = 'yaml' | 'json' | 'text';

/**
 * The props of {@link CodeEditor}.
 * @public
 */
export interface CodeEditorProps {
  /** The text shown. */
  value: string;
  /** Called with the whole text after each edit. */
  onChange?(value: string): void;
  /** The highlighting; plain text unless told. */
  language?: CodeEditorLanguage;
  /** The label above the editor, and the accessible name of its text box. */
  label: string;
  /** A line under the editor (its accessible description). */
  helperText?: string;
  /** Marks the editor as wrong; a string is shown instead of the helper text. */
  error?: boolean | string;
  /** The height to keep when the text is shorter (3 lines unless told). */
  minLines?: number;
  /** Shows the text without letting it be changed. */
  readOnly?: boolean;
  /** The text box's id; the label's and helper text's ids are made from it. */
  id?: string;
}

const LINE_HEIGHT_EM = 1.4;

const useStyles = makeStyles(theme => ({
  label: {
    fontSize: theme.typography.pxToRem(12),
    marginBottom: theme.spacing(0.5),
  },
  frame: {
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    overflow: 'hidden',
    fontSize: theme.typography.pxToRem(13),
    '&:focus-within': {
      borderColor: theme.palette.primary.main,
    },
  },
  frameError: {
    borderColor: theme.palette.error.main,
  },
  loading: {
    margin: 0,
    padding: theme.spacing(0.5, 0.75),
    fontFamily: 'monospace',
    whiteSpace: 'pre-wrap',
  },
}));

/**
 * A labelled multi-line text editor on CodeMirror 6 (as Backstage's scaffolder editor uses), with
 * YAML or JSON highlighting. Its text box is named by `label` and described by the helper text,
 * so it is found as a person finds it (`findByRole('textbox', { name })`, `findByLabelText`); Tab
 * moves on to the next field rather than indenting. CodeMirror is loaded when the first editor is
 * shown; until then the text is shown as it is, not yet as a text box.
 * @public
 */
export function CodeEditor(props: CodeEditorProps) {
  const {
    value,
    onChange,
    language = 'text',
    label,
    helperText,
    error,
    minLines = 3,
    readOnly = false,
  } = props;
  const classes = useStyles();
  const generatedId = useId();
  const id = props.id ?? `code-editor-${generatedId.replace(/:/g, '')}`;
  const labelId = `${id}-label`;
  const helperId = `${id}-helper-text`;
  const helper = typeof error === 'string' && error ? error : helperText;
  const invalid = Boolean(error);

  const contentAttributes: Record<string, string> = {
    id,
    'aria-labelledby': labelId,
    ...(helper ? { 'aria-describedby': helperId } : {}),
    ...(invalid ? { 'aria-invalid': 'true' } : {}),
    ...(readOnly ? { 'aria-readonly': 'true' } : {}),
  };
  const minHeight = `${minLines * LINE_HEIGHT_EM}em`;

  return (
    <FormControl fullWidth margin="dense" error={invalid}>
      <FormLabel id={labelId} className={classes.label}>
        {label}
      </FormLabel>
      <div
        className={
          invalid ? `${classes.frame} ${classes.frameError}` : classes.frame
        }
      >
        <Suspense
          fallback={
            // the text as it will look, until CodeMirror has loaded (not yet a text box)
            <pre className={classes.loading} style={{ minHeight }} aria-busy>
              {value}
            </pre>
          }
        >
          <CodeMirrorField
            value={value}
            onChange={onChange}
            language={language}
            readOnly={readOnly}
            minHeight={minHeight}
            contentAttributes={contentAttributes}
          />
        </Suspense>
      </div>
      {helper && <FormHelperText id={helperId}>{helper}</FormHelperText>}
    </FormControl>
  );
}
