import { useEffect, useRef, useState } from 'react';
import { Box, FormControlLabel, Switch, Typography } from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import type { LogLine } from '../../hooks';

/** Colours of the steps' lines, in step order (readable on the dark log background). */
const STEP_COLOURS = [
  '#8be9fd',
  '#50fa7b',
  '#f1fa8c',
  '#ffb86c',
  '#ff79c6',
  '#bd93f9',
  '#e0e0e0',
];

/**
 * A run's log as it streams: each line coloured by its step and prefixed with it, kept scrolled
 * to the newest line unless the user pauses following.
 */
export function RunLog(props: {
  lines: LogLine[];
  dropped: number;
  /** the order of steps, for their colours */
  steps: string[];
  waiting: boolean;
  ended: boolean;
  error?: Error;
}) {
  const { lines, dropped, steps, waiting, ended, error } = props;
  const [follow, setFollow] = useState(true);
  const bottom = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (follow) bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [follow, lines.length]);
  const colour = (step: string) => {
    const at = steps.indexOf(
      step.startsWith('rollout')
        ? steps.find(s => s.startsWith('rollout')) ?? step
        : step,
    );
    return STEP_COLOURS[(at < 0 ? steps.length : at) % STEP_COLOURS.length];
  };
  return (
    <Box>
      <Box display="flex" alignItems="center" justifyContent="space-between">
        <Typography variant="subtitle2">Log</Typography>
        <FormControlLabel
          control={
            <Switch
              checked={follow}
              onChange={e => setFollow(e.target.checked)}
            />
          }
          label="Follow the newest line"
        />
      </Box>
      {error && (
        <Alert severity="error">The live log broke off: {error.message}</Alert>
      )}
      {lines.length === 0 && !error && (
        <Typography variant="body2" color="textSecondary">
          {emptyWords(waiting, ended)}
        </Typography>
      )}
      {lines.length > 0 && (
        <Box
          component="pre"
          role="log"
          aria-label="run log"
          style={{
            maxHeight: '60vh',
            overflow: 'auto',
            fontSize: 12,
            margin: 0,
            padding: 8,
            whiteSpace: 'pre-wrap',
            background: '#1e1e1e',
            color: '#e0e0e0',
          }}
        >
          {dropped > 0 && (
            <div>… {dropped} earlier lines are in the download</div>
          )}
          {lines.map((line, i) => (
            <div key={i} data-step={line.step}>
              <span style={{ color: colour(line.step), userSelect: 'none' }}>
                [{line.step}]{' '}
              </span>
              {line.text}
            </div>
          ))}
          <div ref={bottom} />
        </Box>
      )}
    </Box>
  );
}

/** What an empty log says: queued, finished without output, or not written yet. */
function emptyWords(waiting: boolean, ended: boolean): string {
  if (waiting) return 'Waiting for the build to start: the run is queued.';
  if (ended) return 'The run wrote no log lines.';
  return 'No log lines yet; they appear here as the build writes them.';
}
