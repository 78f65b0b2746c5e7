import type { ReactNode } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
} from '@material-ui/core';

/**
 * A full-width dialog that shows something about a pod (its logs, events or usage): the title,
 * the content, and the dialog's own actions before a Close button.
 */
export function ViewDialog(props: {
  title: string;
  maxWidth: 'md' | 'lg';
  onClose(): void;
  /** buttons before Close, such as Refresh or Download */
  actions: ReactNode;
  children: ReactNode;
}) {
  const { onClose } = props;
  return (
    <Dialog open onClose={onClose} maxWidth={props.maxWidth} fullWidth>
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent>{props.children}</DialogContent>
      <DialogActions>
        {props.actions}
        <Button onClick={onClose} color="primary">
          Close
        </Button>
      </DialogActions>
    </Dialog>
  );
}
