/** Exit codes of a run stopped by a signal, as shells and test runners report them (128 + signal number). */
export const INTERRUPT_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export type InterruptSignal = keyof typeof INTERRUPT_EXIT_CODES;

/** SIGINT/SIGTERM turned into an AbortSignal for the length of a run. */
export interface RunInterrupt {
  readonly signal: AbortSignal;
  /** The signal that arrived first, if any. */
  readonly received: () => InterruptSignal | undefined;
  /** Removes the handlers (the process's default behaviour comes back). */
  readonly dispose: () => void;
}

/**
 * Listens for SIGINT and SIGTERM: the first aborts the run (runners killed, bookings under way
 * written, the run marked interrupted); later ones are absorbed while that cleanup finishes.
 */
export function listenForInterrupt(onSignal?: (signal: InterruptSignal) => void): RunInterrupt {
  const controller = new AbortController();
  let received: InterruptSignal | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    if (received !== undefined) return;
    received = signal as InterruptSignal;
    onSignal?.(received);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
