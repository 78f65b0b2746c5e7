import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import type { AlertRuleVersionSummary } from '@internal/plugin-container-cloud-common';
import { FileDiffView } from '@internal/plugin-container-cloud-react';
import { rulesApiRef } from '../../api/RulesClient';

/** What changed from a version to the current one. */
function VersionDiff(props: {
  entity: CompoundEntityRef;
  from: number;
  to: number;
}) {
  const api = useApi(rulesApiRef);
  const { value, loading, error } = useAsync(
    () => api.diff(props.entity, props.from, props.to),
    [api, props.entity, props.from, props.to],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  return (
    <>
      <Typography variant="subtitle2">
        From version {props.from} to the current version {props.to}
      </Typography>
      <FileDiffView files={value?.files ?? []} />
    </>
  );
}

/** The versions of a service's rules (who, when, why), with a diff and rollback of each. */
export function RuleVersionsDialog(props: {
  open: boolean;
  entity: CompoundEntityRef;
  currentVersion: number;
  canEdit: boolean;
  onClose(): void;
  onRollback(version: number): void;
}) {
  const api = useApi(rulesApiRef);
  const [selected, setSelected] = useState<number>();
  const { value, loading, error } = useAsync(
    () => api.versions(props.entity),
    [api, props.entity, props.currentVersion],
  );
  const columns: TableColumn<AlertRuleVersionSummary>[] = [
    { title: 'Version', field: 'version' },
    { title: 'By', field: 'author' },
    {
      title: 'When',
      render: v => new Date(v.createdAt).toLocaleString(),
    },
    { title: 'Message', field: 'message' },
    { title: 'Rules', field: 'ruleCount' },
    {
      title: '',
      render: v =>
        v.version === props.currentVersion ? (
          <Typography variant="caption">current</Typography>
        ) : (
          <>
            <Button size="small" onClick={() => setSelected(v.version)}>
              Diff
            </Button>
            {props.canEdit && (
              <Button
                size="small"
                color="secondary"
                onClick={() => props.onRollback(v.version)}
              >
                Roll back to v{v.version}
              </Button>
            )}
          </>
        ),
    },
  ];
  return (
    <Dialog open={props.open} onClose={props.onClose} maxWidth="lg" fullWidth>
      <DialogTitle>Versions of the alert rules</DialogTitle>
      <DialogContent>
        {loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {value && (
          <Table
            title="Versions"
            options={{ paging: false, search: false, padding: 'dense' }}
            columns={columns}
            data={value}
            emptyContent={<Typography>No version yet.</Typography>}
          />
        )}
        {selected !== undefined && (
          <VersionDiff
            entity={props.entity}
            from={selected}
            to={props.currentVersion}
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
