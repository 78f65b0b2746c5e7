import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { RangeName, RANGES } from './meteringRange';

/** The range picker and the CSV download of a metering view. */
export function MeteringControls(props: {
  range: RangeName;
  onRange: (range: RangeName) => void;
  onDownload: () => Promise<void>;
}) {
  const [downloading, setDownloading] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <Box display="flex" alignItems="center" mb={2}>
      <TextField
        select
        id="metering-range"
        label="Range"
        value={props.range}
        onChange={e => props.onRange(e.target.value as RangeName)}
        style={{ minWidth: 180 }}
      >
        {(Object.keys(RANGES) as RangeName[]).map(name => (
          <MenuItem key={name} value={name}>
            {RANGES[name].label}
          </MenuItem>
        ))}
      </TextField>
      <Box ml={2}>
        <Button
          variant="outlined"
          disabled={downloading}
          onClick={async () => {
            setDownloading(true);
            setError(undefined);
            try {
              await props.onDownload();
            } catch (e) {
              setError((e as Error).message);
            } finally {
              setDownloading(false);
            }
          }}
        >
          {downloading ? 'Preparing CSV…' : 'Download CSV'}
        </Button>
      </Box>
      {error && (
        <Box ml={2}>
          <Typography role="alert" color="error" variant="body2">
            {error}
          </Typography>
        </Box>
      )}
    </Box>
  );
}
