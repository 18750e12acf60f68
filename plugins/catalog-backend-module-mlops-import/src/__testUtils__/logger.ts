import { LoggerService } from '@backstage/backend-plugin-api';

/** A log line a test can assert on. */
export type LogEntry = {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
};

/** A logger that records every line, its children included. */
export class RecordingLogger implements LoggerService {
  readonly entries: LogEntry[] = [];

  child(): LoggerService {
    return this;
  }
  error(message: string) {
    this.entries.push({ level: 'error', message });
  }
  warn(message: string) {
    this.entries.push({ level: 'warn', message });
  }
  info(message: string) {
    this.entries.push({ level: 'info', message });
  }
  debug(message: string) {
    this.entries.push({ level: 'debug', message });
  }

  /** The messages of one level. */
  at(level: LogEntry['level']): string[] {
    return this.entries.filter(e => e.level === level).map(e => e.message);
  }

  clear() {
    this.entries.length = 0;
  }
}
