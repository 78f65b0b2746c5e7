import { useCallback, useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import type {
  AlertRule,
  AlertRuleInput,
  AlertRuleSet,
} from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { fieldErrors, rulesApiRef } from '../../api/RulesClient';
import { DeliveryStatus } from './DeliveryStatus';
import { RuleDialog } from './RuleDialog';
import { RuleVersionsDialog } from './RuleVersionsDialog';

type Editing = { rule?: AlertRule } | undefined;

/** How a rule reads in the table: "CPU (cores) > 0.5 for 1m". */
function condition(rule: AlertRule, metricTitle: string) {
  return `${metricTitle} ${rule.comparison} ${rule.threshold} for ${rule.for}`;
}

/**
 * A service's alert rules on its Alerts tab: the rules, where each Prometheus stands with them
 * ("loaded v3"), a dialog to add and edit one (refusals under their fields), and the versions
 * with their diff and rollback.
 */
export function RulesCard() {
  const { entity } = useEntity();
  const ref = getCompoundEntityRef(entity);
  const api = useApi(rulesApiRef);
  const set = useAsyncRetry(
    () => api.ruleSet(ref),
    [api, ref.namespace, ref.name],
  );
  const metrics = useAsyncRetry(() => api.metrics(), [api]);
  const [view, setView] = useState<AlertRuleSet>();
  const [editing, setEditing] = useState<Editing>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [versionsOpen, setVersionsOpen] = useState(false);

  useEffect(() => {
    if (set.value) setView(set.value);
  }, [set.value]);

  // a change is written and reloaded at once; until each Prometheus shows it loaded, ask again
  const waiting = view?.delivery.some(d => d.state !== 'loaded') ?? false;
  useEffect(() => {
    if (!waiting || !view || view.version === 0) return undefined;
    let tries = 0;
    const timer = setInterval(async () => {
      tries++;
      try {
        const delivery = await api.delivery(ref);
        setView(v => (v ? { ...v, delivery } : v));
      } catch {
        // the next try, or the page's own error state, says more
      }
      if (tries >= 15) clearInterval(timer);
    }, 2000);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [waiting, view?.version, api, ref.namespace, ref.name]);

  const apply = useCallback(
    async (change: () => Promise<AlertRuleSet>, form: boolean) => {
      setSaving(true);
      setProblem(undefined);
      try {
        setView(await change());
        setEditing(undefined);
        setErrors({});
      } catch (error) {
        const e = error as ContainerCloudApiError;
        if (e.status === 409 && e.current) setView(e.current as AlertRuleSet);
        const message =
          e.status === 409
            ? `${e.message} (the rules shown are the current ones)`
            : e.message;
        if (form && e.status === 400) setErrors(fieldErrors(e.message));
        else if (form) setErrors({ '': message });
        else setProblem(message);
      } finally {
        setSaving(false);
      }
    },
    [],
  );

  if (set.loading && !view) return <Progress />;
  if (set.error) return <ResponseErrorPanel error={set.error} />;
  if (!view) return null;

  const titleOf = (id: string) =>
    metrics.value?.find(m => m.id === id)?.title ?? id;
  const columns: TableColumn<AlertRule>[] = [
    { title: 'Name', field: 'name' },
    { title: 'Condition', render: r => condition(r, titleOf(r.metric)) },
    {
      title: 'Container',
      render: r =>
        r.container ? `${r.container}${r.pod ? ` in ${r.pod}` : ''}` : 'every',
    },
    {
      title: 'Severity',
      render: r => <Chip size="small" label={r.severity} />,
    },
    { title: 'Receivers', render: r => r.receivers.join(', ') || '—' },
    { title: 'On', render: r => (r.enabled ? 'yes' : 'off') },
    {
      title: '',
      render: r => (
        <>
          <Button
            size="small"
            onClick={() => {
              setErrors({});
              setEditing({ rule: r });
            }}
          >
            Edit
          </Button>
          <Button
            size="small"
            color="secondary"
            onClick={() =>
              apply(() => api.deleteRule(ref, r.id, view.version), false)
            }
          >
            Delete
          </Button>
        </>
      ),
    },
  ];

  const save = (rule: AlertRuleInput) =>
    apply(
      () =>
        editing?.rule
          ? api.updateRule(ref, editing.rule.id, view.version, rule)
          : api.createRule(ref, view.version, rule),
      true,
    );

  return (
    <InfoCard
      title="Alert rules"
      subheader={
        view.version > 0
          ? `Version ${view.version}, by ${view.updatedBy} at ${new Date(
              view.updatedAt ?? '',
            ).toLocaleString()}`
          : undefined
      }
      action={
        <Box mt={1}>
          <Button
            color="primary"
            variant="contained"
            onClick={() => {
              setErrors({});
              setEditing({});
            }}
          >
            Add rule
          </Button>
          <Button
            onClick={() => setVersionsOpen(true)}
            disabled={view.version === 0}
          >
            Versions
          </Button>
        </Box>
      }
    >
      <Box mb={2} aria-label="delivery">
        <DeliveryStatus delivery={view.delivery} />
      </Box>
      {view.problem && (
        <Typography color="textSecondary" paragraph>
          {view.problem}
        </Typography>
      )}
      {problem && (
        <Typography color="error" role="alert" paragraph>
          {problem}
        </Typography>
      )}
      {metrics.error && <ResponseErrorPanel error={metrics.error} />}
      {view.rules.length === 0 ? (
        <EmptyState
          missing="data"
          title="No alert rules yet"
          description="Add a rule to be alerted when a metric of this service, or of one of its containers, crosses a threshold."
        />
      ) : (
        <Table
          options={{
            paging: false,
            search: false,
            padding: 'dense',
            toolbar: false,
          }}
          columns={columns}
          data={view.rules}
        />
      )}
      {editing && (
        <RuleDialog
          open
          rule={editing.rule}
          metrics={metrics.value ?? []}
          containers={view.containers}
          errors={errors}
          saving={saving}
          onCancel={() => setEditing(undefined)}
          onSave={save}
        />
      )}
      {versionsOpen && (
        <RuleVersionsDialog
          open
          entity={ref}
          currentVersion={view.version}
          canEdit
          onClose={() => setVersionsOpen(false)}
          onRollback={version => {
            setVersionsOpen(false);
            apply(() => api.rollback(ref, version, view.version), false);
          }}
        />
      )}
    </InfoCard>
  );
}
