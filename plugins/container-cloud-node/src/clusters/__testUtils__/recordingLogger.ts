import type { LoggerService } from '@backstage/backend-plugin-api';

/** A logger that keeps its warnings and errors in `lines`, for tests that check what is logged. */
export function recordingLogger(lines: string[]): LoggerService {
  const logger: LoggerService = {
    error: m => lines.push(m),
    warn: m => lines.push(m),
    info: () => {},
    debug: () => {},
    child: () => logger,
  };
  return logger;
}
