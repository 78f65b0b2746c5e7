import {
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  IconButton,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import DeleteIcon from '@material-ui/icons/Delete';
import type { FieldErrors } from '../../lib/fieldErrors';
import type { RuleDraft } from './draft';

/** How runs start: the Run button, and pushes reported by the git host's webhook, by rule. */
export function TriggersEditor(props: {
  manual: boolean;
  webhookEnabled: boolean;
  rules: RuleDraft[];
  onChange(change: {
    manual?: boolean;
    webhookEnabled?: boolean;
    rules?: RuleDraft[];
  }): void;
  errors: FieldErrors;
}) {
  const { manual, webhookEnabled, rules, onChange, errors } = props;
  const set = (i: number, change: Partial<RuleDraft>) =>
    onChange({
      rules: rules.map((r, j) => (j === i ? { ...r, ...change } : r)),
    });
  return (
    <Box mb={1}>
      <Typography variant="subtitle2">Triggers</Typography>
      <FormControlLabel
        control={
          <Checkbox
            checked={manual}
            onChange={e => onChange({ manual: e.target.checked })}
          />
        }
        label="Run button"
      />
      <FormControlLabel
        control={
          <Checkbox
            checked={webhookEnabled}
            onChange={e => onChange({ webhookEnabled: e.target.checked })}
          />
        }
        label="Pushes (git host webhook)"
      />
      {webhookEnabled && (
        <>
          <Typography variant="caption" color="textSecondary" component="p">
            A push to a branch or tag matching a rule runs the codeflow and
            rolls that environment&apos;s targets; * matches any characters.
          </Typography>
          {rules.map((r, i) => {
            const prefix = `triggers.webhook.rules.${i}`;
            return (
              <Box
                key={i}
                display="flex"
                alignItems="flex-start"
                style={{ gap: 8 }}
              >
                <TextField
                  select
                  id={`rule-${i}-kind`}
                  label={`Rule ${i + 1} kind`}
                  value={r.kind}
                  onChange={e =>
                    set(i, { kind: e.target.value as RuleDraft['kind'] })
                  }
                  margin="dense"
                  style={{ minWidth: 100 }}
                >
                  <MenuItem value="branch">branch</MenuItem>
                  <MenuItem value="tag">tag</MenuItem>
                </TextField>
                <TextField
                  id={`rule-${i}-pattern`}
                  label={`Rule ${i + 1} pattern`}
                  value={r.pattern}
                  error={Boolean(
                    errors[`${prefix}.ref.pattern`] ?? errors[`${prefix}.ref`],
                  )}
                  helperText={
                    errors[`${prefix}.ref.pattern`] ??
                    errors[`${prefix}.ref`] ??
                    'e.g. main or v*'
                  }
                  onChange={e => set(i, { pattern: e.target.value })}
                  margin="dense"
                />
                <TextField
                  id={`rule-${i}-environment`}
                  label={`Rule ${i + 1} environment`}
                  value={r.environment}
                  error={Boolean(errors[`${prefix}.environment`])}
                  helperText={
                    errors[`${prefix}.environment`] ?? 'a target environment'
                  }
                  onChange={e => set(i, { environment: e.target.value })}
                  margin="dense"
                />
                <FormControlLabel
                  control={
                    <Checkbox
                      checked={r.approval}
                      onChange={e => set(i, { approval: e.target.checked })}
                    />
                  }
                  label="Wait for approval"
                />
                <IconButton
                  aria-label={`Remove rule ${i + 1}`}
                  onClick={() =>
                    onChange({ rules: rules.filter((_, j) => j !== i) })
                  }
                >
                  <DeleteIcon />
                </IconButton>
              </Box>
            );
          })}
          <Button
            size="small"
            onClick={() =>
              onChange({
                rules: [
                  ...rules,
                  {
                    kind: 'branch',
                    pattern: 'main',
                    environment: '',
                    approval: false,
                  },
                ],
              })
            }
          >
            Add rule
          </Button>
        </>
      )}
      {errors.triggers && (
        <Typography variant="caption" color="error" role="alert">
          {errors.triggers}
        </Typography>
      )}
    </Box>
  );
}
