import type { TransportEventName, TransportEvents, TransportListener } from './types';

/**
 * Minimal typed emitter. Unlike node:events it never throws for an unhandled event and a
 * throwing listener cannot break the transport (its error is reported to `onListenerError`).
 */
export class TransportEventEmitter {
  private readonly listeners = new Map<TransportEventName, Set<(payload: never) => void>>();

  on<K extends TransportEventName>(event: K, listener: TransportListener<K>): this {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return this;
  }

  off<K extends TransportEventName>(event: K, listener: TransportListener<K>): this {
    const set = this.listeners.get(event);
    set?.delete(listener as (payload: never) => void);
    if (set?.size === 0) this.listeners.delete(event);
    return this;
  }

  emit<K extends TransportEventName>(event: K, payload: TransportEvents[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as TransportListener<K>)(payload);
      } catch {
        // A telemetry listener failing must not take the connection down.
      }
    }
  }

  /** Whether anyone listens to `event` (lets hot paths skip building the payload). */
  has(event: TransportEventName): boolean {
    return this.listeners.has(event);
  }

  /** Number of listeners for one event (for leak checks). */
  listenerCount(event: TransportEventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }
}
