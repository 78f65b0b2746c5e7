import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';

/** "1–25 of 60" with Previous and Next. */
export function Pager(props: {
  offset: number;
  shown: number;
  total: number;
  pageSize: number;
  onOffset: (offset: number) => void;
}) {
  const { offset, shown, total, pageSize, onOffset } = props;
  return (
    <Box display="flex" alignItems="center" mt={1} style={{ gap: 16 }}>
      <Typography variant="body2">
        {total === 0 ? 0 : offset + 1}–{offset + shown} of {total}
      </Typography>
      <Button
        disabled={offset === 0}
        onClick={() => onOffset(Math.max(0, offset - pageSize))}
      >
        Previous
      </Button>
      <Button
        disabled={offset + pageSize >= total}
        onClick={() => onOffset(offset + pageSize)}
      >
        Next
      </Button>
    </Box>
  );
}
