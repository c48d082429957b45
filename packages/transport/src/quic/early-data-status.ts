import type { Connection } from '../types';
import type { EarlyDataStatus } from './early-data-gate';

/** What a dialled QUIC link tells about its early data. */
interface EarlyDataSource {
  earlyDataStatus(): EarlyDataStatus;
}

/** Each dialled QUIC session's link, weakly: nothing here keeps a closed connection alive. */
const sources = new WeakMap<Connection, EarlyDataSource>();

export function trackEarlyData(connection: Connection, link: EarlyDataSource): void {
  sources.set(connection, link);
}

/**
 * Whether a QUIC connection this process dialled sent requests as 0-RTT early data and whether
 * the server took them: 'none' (nothing sent early, or not a QUIC dial), 'pending' (handshake
 * not complete yet), 'accepted' or 'rejected' (quiche sent them again in 1-RTT). README "0-RTT and replay".
 */
export function quicEarlyData(connection: Connection): EarlyDataStatus {
  return sources.get(connection)?.earlyDataStatus() ?? 'none';
}
