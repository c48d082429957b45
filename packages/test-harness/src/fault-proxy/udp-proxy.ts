import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { InvalidOptionsError, ProxyClosedError, ProxyListenError } from '../errors';
import { DelayLine } from './delay-line';
import { FaultState, resolveProxyOptions } from './fault-state';
import { validateDropNext } from './faults';
import type { Direction, HostPort, UdpFaultProxy, UdpFaultProxyOptions } from './types';

interface UdpSession {
  readonly key: string;
  readonly socket: dgram.Socket;
  readonly up: DelayLine;
  readonly down: DelayLine;
  lastActive: number;
}

function socketType(host: string): 'udp4' | 'udp6' {
  return isIPv6(host) ? 'udp6' : 'udp4';
}

function corrupt(datagram: Buffer, random: () => number): Buffer {
  const copy = Buffer.from(datagram);
  if (copy.length === 0) return copy;
  const bit = Math.floor(random() * copy.length * 8);
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
}

function bind(socket: dgram.Socket, listen: HostPort): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(new ProxyListenError(listen.host, listen.port, err));
    socket.once('error', onError);
    socket.bind(listen.port, listen.host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

/**
 * Starts a UDP fault proxy. Each client address gets its own upstream socket (a session that
 * expires after `sessionIdleMs` without traffic), so the target sees one flow per client, as a
 * QUIC server needs.
 */
export async function createUdpFaultProxy(options: UdpFaultProxyOptions): Promise<UdpFaultProxy> {
  const resolved = resolveProxyOptions(options);
  const sessionIdleMs = options.sessionIdleMs ?? 60_000;
  if (!Number.isFinite(sessionIdleMs) || sessionIdleMs <= 0) {
    throw new InvalidOptionsError(`sessionIdleMs must be a positive number of ms, got ${String(sessionIdleMs)}`);
  }
  const { target, queueLimitBytes } = resolved;
  const state = new FaultState('udp', options.faults, options.seed);
  const sessions = new Map<string, UdpSession>();
  let totalFlows = 0;
  let closed = false;
  let sweepTimer: NodeJS.Timeout | undefined;
  let pendingDrop: { direction: Direction; minBytes: number } | undefined;

  const listener = dgram.createSocket({ type: socketType(resolved.listen.host) });
  await bind(listener, resolved.listen);
  // After bind, errors (e.g. ICMP unreachable reported on send) must not crash the process.
  listener.on('error', () => undefined);
  const bound = listener.address();
  const address: HostPort = { host: bound.address, port: bound.port };

  const ignoreSendError = (): void => undefined;

  function forward(direction: Direction, datagram: Buffer, line: DelayLine): void {
    const f = state.of(direction);
    const counter = state.counter(direction);
    const drop = (): void => {
      counter.droppedPackets++;
      counter.droppedBytes += datagram.length;
    };
    if (pendingDrop?.direction === direction && datagram.length > pendingDrop.minBytes) {
      pendingDrop = undefined;
      return drop();
    }
    if (state.faults.partition || f.blackhole || state.chance(f.lossRate)) return drop();
    const copies = state.chance(f.duplicateRate) ? 2 : 1;
    if (copies === 2) counter.duplicatedPackets++;
    for (let i = 0; i < copies; i++) {
      let data = datagram;
      if (state.chance(f.corruptRate)) {
        data = corrupt(datagram, state.random);
        counter.corruptedPackets++;
      }
      const outOfOrder = state.chance(f.reorderRate);
      if (outOfOrder) counter.reorderedPackets++;
      const delayMs = state.sampleDelay(f) + (outOfOrder ? f.reorderDelayMs : 0);
      if (!line.push(data, { delayMs, bandwidthBytesPerSec: f.bandwidthBytesPerSec, outOfOrder })) drop();
    }
  }

  function counted(direction: Direction, send: (chunk: Buffer) => void): (chunk: Buffer) => void {
    const counter = state.counter(direction);
    return (chunk) => {
      if (closed) return;
      counter.forwardedPackets++;
      counter.forwardedBytes += chunk.length;
      send(chunk);
    };
  }

  function closeSession(session: UdpSession): Promise<void> {
    sessions.delete(session.key);
    session.up.close();
    session.down.close();
    const socketClosed = new Promise<void>((resolve) => session.socket.close(() => resolve()));
    if (sessions.size === 0 && sweepTimer !== undefined) {
      clearInterval(sweepTimer);
      sweepTimer = undefined;
    }
    return socketClosed;
  }

  function sweep(): void {
    const now = performance.now();
    for (const session of sessions.values()) {
      if (now - session.lastActive >= sessionIdleMs) void closeSession(session);
    }
  }

  function openSession(key: string, clientHost: string, clientPort: number): UdpSession {
    const socket = dgram.createSocket({ type: socketType(target.host) });
    const up = new DelayLine({
      overflow: 'drop',
      queueLimitBytes,
      deliver: counted('upstream', (chunk) => socket.send(chunk, target.port, target.host, ignoreSendError)),
    });
    const down = new DelayLine({
      overflow: 'drop',
      queueLimitBytes,
      deliver: counted('downstream', (chunk) => listener.send(chunk, clientPort, clientHost, ignoreSendError)),
    });
    const session: UdpSession = { key, socket, up, down, lastActive: performance.now() };
    socket.on('message', (datagram) => {
      session.lastActive = performance.now();
      forward('downstream', datagram, down);
    });
    // An unreachable target shows up as a socket error; the session stays, as a real path would.
    socket.on('error', () => undefined);
    sessions.set(key, session);
    totalFlows++;
    sweepTimer ??= setInterval(sweep, Math.max(10, Math.min(sessionIdleMs / 2, 5_000)));
    return session;
  }

  listener.on('message', (datagram, rinfo) => {
    if (closed) return;
    const key = `${rinfo.address}|${rinfo.port}`;
    const session = sessions.get(key) ?? openSession(key, rinfo.address, rinfo.port);
    session.lastActive = performance.now();
    forward('upstream', datagram, session.up);
  });

  return {
    address,
    get faults() {
      return state.faults;
    },
    get stats() {
      return state.snapshot(sessions.size, totalFlows);
    },
    setFaults(update) {
      if (closed) throw new ProxyClosedError('setFaults()');
      state.update(update);
    },
    clearFaults() {
      if (closed) throw new ProxyClosedError('clearFaults()');
      state.clear();
      pendingDrop = undefined;
    },
    dropNext(direction, minBytes = 0) {
      if (closed) throw new ProxyClosedError('dropNext()');
      pendingDrop = validateDropNext(direction, minBytes);
    },
    get dropPending() {
      return pendingDrop !== undefined;
    },
    async close() {
      if (closed) return;
      closed = true;
      const socketsClosed = [...sessions.values()].map(closeSession);
      state.dispose();
      await Promise.all([...socketsClosed, new Promise<void>((resolve) => listener.close(() => resolve()))]);
    },
  };
}
