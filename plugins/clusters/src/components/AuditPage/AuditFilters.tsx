import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import type {
  AuditFacets,
  AuditSearchQuery,
} from '@internal/plugin-container-cloud-common';

/** The filters as the form holds them: text, '' for "any". */
export interface AuditFilterValues {
  actor: string;
  entityRef: string;
  plugin: string;
  eventId: string;
  outcome: string;
  /** `datetime-local` values, the browser's time zone */
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilterValues = {
  actor: '',
  entityRef: '',
  plugin: '',
  eventId: '',
  outcome: '',
  from: '',
  to: '',
};

/** The search the filters ask for: empty ones left out, times as ISO 8601. */
export function searchOf(values: AuditFilterValues): AuditSearchQuery {
  const iso = (local: string) =>
    local ? new Date(local).toISOString() : undefined;
  const text = (value: string) => value.trim() || undefined;
  return {
    actor: text(values.actor),
    entityRef: text(values.entityRef),
    plugin: text(values.plugin),
    eventId: text(values.eventId),
    outcome: (text(values.outcome) as AuditSearchQuery['outcome']) ?? undefined,
    from: iso(values.from),
    to: iso(values.to),
  };
}

function Choice(props: {
  label: string;
  value: string;
  options: string[];
  onChange: (value: string) => void;
}) {
  return (
    <TextField
      select
      fullWidth
      id={`audit-filter-${props.label.toLocaleLowerCase('en-US')}`}
      label={props.label}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
    >
      <MenuItem value="">any</MenuItem>
      {props.options.map(option => (
        <MenuItem key={option} value={option}>
          {option}
        </MenuItem>
      ))}
    </TextField>
  );
}

/** The audit page's filters; `onSearch` gets them when the person asks. */
export function AuditFilters(props: {
  facets?: AuditFacets;
  onSearch: (values: AuditFilterValues) => void;
}) {
  const [values, setValues] = useState(NO_FILTERS);
  const set = (key: keyof AuditFilterValues) => (value: string) =>
    setValues(v => ({ ...v, [key]: value }));
  const text = (key: keyof AuditFilterValues, label: string, hint: string) => (
    <TextField
      fullWidth
      id={`audit-filter-${key}`}
      label={label}
      placeholder={hint}
      value={values[key]}
      onChange={e => set(key)(e.target.value)}
    />
  );
  const time = (key: 'from' | 'to', label: string) => (
    <TextField
      fullWidth
      id={`audit-filter-${key}`}
      type="datetime-local"
      label={label}
      InputLabelProps={{ shrink: true }}
      value={values[key]}
      onChange={e => set(key)(e.target.value)}
    />
  );
  return (
    <form
      onSubmit={e => {
        e.preventDefault();
        props.onSearch(values);
      }}
    >
      <Grid container spacing={2} alignItems="flex-end">
        <Grid item xs={12} md={3}>
          {text('actor', 'Actor', 'user:default/alice')}
        </Grid>
        <Grid item xs={12} md={3}>
          {text('entityRef', 'Entity', 'component:default/payments-api')}
        </Grid>
        <Grid item xs={6} md={2}>
          <Choice
            label="Plugin"
            value={values.plugin}
            options={props.facets?.plugins ?? []}
            onChange={set('plugin')}
          />
        </Grid>
        <Grid item xs={6} md={2}>
          <Choice
            label="Action"
            value={values.eventId}
            options={props.facets?.eventIds ?? []}
            onChange={set('eventId')}
          />
        </Grid>
        <Grid item xs={6} md={2}>
          <Choice
            label="Outcome"
            value={values.outcome}
            options={['succeeded', 'failed']}
            onChange={set('outcome')}
          />
        </Grid>
        <Grid item xs={6} md={3}>
          {time('from', 'From')}
        </Grid>
        <Grid item xs={6} md={3}>
          {time('to', 'To')}
        </Grid>
        <Grid item xs={12} md={6}>
          <Button type="submit" variant="contained" color="primary">
            Search
          </Button>{' '}
          <Button
            onClick={() => {
              setValues(NO_FILTERS);
              props.onSearch(NO_FILTERS);
            }}
          >
            Clear
          </Button>
        </Grid>
      </Grid>
    </form>
  );
}
