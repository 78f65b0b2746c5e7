import { useState } from 'react';
import {
  Box,
  Button,
  IconButton,
  Menu,
  MenuItem,
  SvgIcon,
  Tooltip,
} from '@material-ui/core';
import type { PodView } from '@internal/plugin-container-cloud-common';

export type PodActionKind =
  | 'destroy'
  | 'remove-from-lb'
  | 'logs'
  | 'events'
  | 'metrics'
  | 'shell'
  | 'debug';

type PodAction = {
  kind: PodActionKind;
  label: string;
  /** the control's accessible name, where it names the container */
  name?: string;
  /** the most used actions are buttons in the row; the others wait in its menu */
  placement: 'button' | 'menu';
  disabled: boolean;
};

/** A container's actions, in the order the page shows them, and when each is not possible. */
export function podActions(pod: PodView): PodAction[] {
  const running = pod.containers.some(c => c.state === 'running');
  return [
    {
      kind: 'logs',
      label: 'logs',
      name: `logs of ${pod.name}`,
      placement: 'button',
      disabled: false,
    },
    {
      kind: 'shell',
      label: 'shell',
      name: `shell in ${pod.name}`,
      placement: 'button',
      disabled: pod.terminating || !running,
    },
    {
      kind: 'events',
      label: 'events',
      name: `events of ${pod.name}`,
      placement: 'menu',
      disabled: false,
    },
    {
      kind: 'metrics',
      label: 'metrics',
      name: `metrics of ${pod.name}`,
      placement: 'menu',
      disabled: false,
    },
    {
      kind: 'debug',
      label: 'debug',
      name: `debug ${pod.name}`,
      placement: 'menu',
      disabled: pod.terminating || pod.phase !== 'Running',
    },
    {
      kind: 'remove-from-lb',
      label: 'remove from LB',
      placement: 'menu',
      disabled: pod.removedFromLoadBalancing || pod.terminating,
    },
    {
      kind: 'destroy',
      label: 'destroy',
      placement: 'menu',
      disabled: pod.terminating,
    },
  ];
}

// Material's "more vert": three dots, one above the other
const MoreIcon = () => (
  <SvgIcon fontSize="small">
    <path d="M12 8c1.1 0 2-.9 2-2s-.9-2-2-2-2 .9-2 2 .9 2 2 2zm0 2c-1.1 0-2 .9-2 2s.9 2 2 2 2-.9 2-2-.9-2-2-2zm0 6c-1.1 0-2 .9-2 2s.9 2 2 2 2-.9 2-2-.9-2-2-2z" />
  </SvgIcon>
);

/**
 * The actions of one container in the containers table: logs and shell as buttons, the rest in a
 * menu, so the row stays narrow enough for the table to fit a 1280 px window.
 */
export function PodActions(props: {
  pod: PodView;
  onAction(kind: PodActionKind): void;
}) {
  const { pod, onAction } = props;
  const [menuAnchor, setMenuAnchor] = useState<HTMLElement | null>(null);
  const actions = podActions(pod);
  const menuId = `more-actions-${pod.namespace}-${pod.name}`;
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
          aria-label={`More actions for ${pod.name}`}
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
