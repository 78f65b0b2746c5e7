import Step from '@material-ui/core/Step';
import StepLabel from '@material-ui/core/StepLabel';
import Stepper from '@material-ui/core/Stepper';
import Typography from '@material-ui/core/Typography';
import type { InstanceDetail } from '@internal/plugin-container-cloud-common';

const TITLES = { helm: 'Helm release', pods: 'Pods', ready: 'Ready' };

/** The install's (or upgrade's) steps helm → pods → ready, each with its state and message. */
export function ProgressSteps(props: { progress: InstanceDetail['progress'] }) {
  const { progress } = props;
  const active = progress.findIndex(s => s.state !== 'done');
  return (
    <Stepper
      activeStep={active === -1 ? progress.length : active}
      alternativeLabel
      aria-label="Progress"
    >
      {progress.map(s => (
        <Step key={s.step} completed={s.state === 'done'}>
          <StepLabel
            error={s.state === 'failed'}
            optional={
              <Typography variant="caption" component="div">
                {s.state}: {s.message}
              </Typography>
            }
          >
            {TITLES[s.step]}
          </StepLabel>
        </Step>
      ))}
    </Stepper>
  );
}
