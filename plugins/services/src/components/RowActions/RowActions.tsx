import { useId, useState } from 'react';
import {
  Box,
  Button,
  IconButton,
  Menu,
  MenuItem,
  SvgIcon,
  Tooltip,
} from '@material-ui/core';

/** One action of a table row. */
export type RowAction<K extends string> = {
  kind: K;
  label: string;
  /** the control's accessible name, where the label alone is not enough (it names the row) */
  name?: string;
  /** the most used actions are buttons in the row; the others wait in its menu */
  placement: 'button' | 'menu';
  disabled: boolean;
};

// Material's "more vert": three dots, one above the other
const MoreIcon = () => (
  <SvgIcon fontSize="small">
    <path d="M12 8c1.1 0 2-.9 2-2s-.9-2-2-2-2 .9-2 2 .9 2 2 2zm0 2c-1.1 0-2 .9-2 2s.9 2 2 2 2-.9 2-2-.9-2-2-2zm0 6c-1.1 0-2 .9-2 2s.9 2 2 2 2-.9 2-2-.9-2-2-2z" />
  </SvgIcon>
);

/**
 * A table row's actions: a few buttons and a menu behind a "More actions for …" button, so that a
 * row of many actions stays narrow enough for its table to fit a 1280 px window.
 */
export function RowActions<K extends string>(props: {
  actions: RowAction<K>[];
  /** the menu button's accessible name, e.g. "More actions for payments-api-7d9-abcde" */
  menuLabel: string;
  onAction(kind: K): void;
}) {
  const { actions, menuLabel, onAction } = props;
  const [menuAnchor, setMenuAnchor] = useState<HTMLElement | null>(null);
  const menuId = useId();
  return (
    <Box display="flex" alignItems="center" style={{ gap: 4 }}>
      {actions
        .filter(action => action.placement === 'button')
        .map(action => (
          <Button
            key={action.kind}
            size="small"
            variant="outlined"
            style={{ whiteSpace: 'nowrap' }}
            aria-label={action.name}
            disabled={action.disabled}
            onClick={() => onAction(action.kind)}
          >
            {action.label}
          </Button>
        ))}
      <Tooltip title="More actions">
        <IconButton
          size="small"
          aria-label={menuLabel}
          aria-haspopup="true"
          aria-controls={menuAnchor ? menuId : undefined}
          onClick={event => setMenuAnchor(event.currentTarget)}
        >
          <MoreIcon />
        </IconButton>
      </Tooltip>
      <Menu
        id={menuId}
        anchorEl={menuAnchor}
        open={Boolean(menuAnchor)}
        onClose={() => setMenuAnchor(null)}
      >
        {actions
          .filter(action => action.placement === 'menu')
          .map(action => (
            <MenuItem
              key={action.kind}
              aria-label={action.name}
              disabled={action.disabled}
              onClick={() => {
                setMenuAnchor(null);
                onAction(action.kind);
              }}
            >
              {action.label}
            </MenuItem>
          ))}
      </Menu>
    </Box>
  );
}
