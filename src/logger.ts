import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines (for a log collector) unless stdout is a terminal: then one coloured line per entry
 * through pino-pretty, run as a pino transport (a worker thread), with the request id up front.
 * `destination` (tests) always gets JSON.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  if (destination) return pino({ level, base: undefined }, destination);
  if (!process.stdout.isTTY || level === 'silent') return pino({ level, base: undefined });
  return pino({
    level,
    base: undefined,
    transport: {
      target: 'pino-pretty',
      options: {
        // The worker's stdout is not the terminal, so colour is asked for rather than detected.
        colorize: !process.env.NO_COLOR,
        singleLine: true,
        translateTime: 'SYS:HH:MM:ss.l',
        messageFormat: '{if requestId}[{requestId}] {end}{msg}',
        ignore: 'requestId',
      },
    },
  });
}
