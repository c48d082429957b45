import type { Detach, EventSource } from './types';

/** Listeners keyed by event name, each taking the event's payload. */
export type Handlers<M> = { [K in keyof M]: (payload: M[K]) => void };

/**
 * Adds one listener per event and returns a detach that removes exactly those listeners.
 * A listener that throws would break the emitter's other listeners, so payload handling
 * never throws: malformed payloads are counted by `onInvalid` instead.
 */
export function subscribe<M>(source: EventSource, handlers: Handlers<M>, onInvalid: (event: string) => void): Detach {
  const added: Array<[string, (payload: unknown) => void]> = [];
  for (const event of Object.keys(handlers) as Array<keyof M & string>) {
    const handle = handlers[event];
    const listener = (payload: unknown): void => {
      try {
        // The payload's type is only a claim of the emitter: handlers validate every field.
        handle(payload as M[typeof event]);
      } catch {
        onInvalid(event);
      }
    };
    source.on(event, listener);
    added.push([event, listener]);
  }
  let detached = false;
  return () => {
    if (detached) return;
    detached = true;
    for (const [event, listener] of added) source.off(event, listener);
  };
}

/** Thrown inside a handler for a payload that does not match its event's shape. */
export class MalformedEventError extends Error {}

/** Returns the payload as a record or throws MalformedEventError. */
export function asRecord(payload: unknown): Record<string, unknown> {
  if (payload === null || typeof payload !== 'object') throw new MalformedEventError();
  return payload as Record<string, unknown>;
}

/** A finite number that is at least zero (durations, byte counts). */
export function nonNegative(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new MalformedEventError();
  return value;
}

/** A finite number in [0, 1] (accuracy-like ratios). */
export function ratio(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) throw new MalformedEventError();
  return value;
}

/** A string, or the fallback when absent. */
export function text(value: unknown, fallback?: string): string {
  if (typeof value === 'string') return value;
  if (value === undefined && fallback !== undefined) return fallback;
  throw new MalformedEventError();
}

/** One of the allowed values. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new MalformedEventError();
}
