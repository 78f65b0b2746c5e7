import { memo } from 'react';
import { List, ListItem, ListItemText, Typography } from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { InfoCard, Progress } from '@backstage/core-components';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useServiceDiagnosis } from '../../hooks';

/**
 * What is wrong with the service's containers, in plain words, per cluster. Memoised: the tab
 * renders it again only when its props change (a live update's refresh key).
 */
export const DiagnosisCard = memo(function DiagnosisCardView(props: {
  entityRef: CompoundEntityRef;
  refreshKey: unknown;
}) {
  const { value, loading, error } = useServiceDiagnosis(
    props.entityRef,
    props.refreshKey,
  );

  let body: JSX.Element;
  if (loading && !value) body = <Progress />;
  else if (error) body = <Alert severity="error">{error.message}</Alert>;
  else {
    const findings = (value?.clusters ?? []).flatMap(c =>
      c.findings.map(f => ({ ...f, cluster: c.cluster })),
    );
    const failed = (value?.clusters ?? []).filter(c => c.error);
    body = (
      <>
        {failed.map(c => (
          <Alert key={c.cluster} severity="warning">
            {c.cluster}: could not read events ({c.error})
          </Alert>
        ))}
        {findings.length === 0 ? (
          <Typography>No problem found in any container.</Typography>
        ) : (
          <List dense>
            {findings.map(f => (
              <ListItem
                key={`${f.cluster}/${f.pod}/${f.container}/${f.problem}`}
              >
                <ListItemText
                  primary={`${f.cluster} · ${f.pod}${
                    f.container ? ` · ${f.container}` : ''
                  }: ${f.problem}`}
                  secondary={`${f.advice}${
                    f.evidence ? ` — ${f.evidence}` : ''
                  }`}
                />
              </ListItem>
            ))}
          </List>
        )}
      </>
    );
  }
  return <InfoCard title="Diagnosis">{body}</InfoCard>;
});
