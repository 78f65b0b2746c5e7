export { classifyFailure } from './classifyFailure';
export type { FailureClassification } from './classifyFailure';
export {
  LogRedactor,
  MIN_SECRET_LENGTH,
  REDACTED,
  redactor,
  secretForms,
} from './LogRedactor';
