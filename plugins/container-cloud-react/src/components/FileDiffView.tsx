import type { FileDiff } from '@internal/plugin-container-cloud-common';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';

const useStyles = makeStyles(theme => ({
  file: { marginBottom: theme.spacing(2) },
  pre: {
    fontFamily: 'monospace',
    fontSize: '0.85rem',
    margin: 0,
    overflowX: 'auto',
  },
  removed: { backgroundColor: 'rgba(244, 67, 54, 0.15)', display: 'block' },
  added: { backgroundColor: 'rgba(76, 175, 80, 0.18)', display: 'block' },
  kept: { display: 'block', opacity: 0.8 },
}));

/**
 * A unified diff of the files two versions differ in (config versions, manifests): removed lines
 * red, added green, each file under its name.
 * @public
 */
export function FileDiffView(props: {
  files: FileDiff[];
  /** what to say when nothing differs */
  emptyText?: string;
}) {
  const classes = useStyles();
  if (props.files.length === 0) {
    return (
      <Typography>
        {props.emptyText ?? 'The two versions are the same.'}
      </Typography>
    );
  }
  return (
    <>
      {props.files.map(file => (
        <div key={file.file} className={classes.file}>
          <Typography variant="subtitle2">{file.file}</Typography>
          <pre className={classes.pre} aria-label={`diff of ${file.file}`}>
            {file.lines.map((line, i) => {
              let className = classes.kept;
              if (line.op === '-') className = classes.removed;
              if (line.op === '+') className = classes.added;
              return (
                <span key={i} className={className}>
                  {line.op} {line.text}
                </span>
              );
            })}
          </pre>
        </div>
      ))}
    </>
  );
}
