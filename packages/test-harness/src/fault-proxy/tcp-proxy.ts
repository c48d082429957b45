import net from 'node:net';
import { InvalidOptionsError, ProxyClosedError, ProxyListenError } from '../errors';
import { DelayLine } from './delay-line';
import { FaultState, resolveProxyOptions } from './fault-state';
import type { Direction, FaultProxy, HostPort, TcpFaultProxyOptions } from './types';

interface TcpConnection {
  readonly client: net.Socket;
  upstream: net.Socket | undefined;
  up: DelayLine | undefined;
  down: DelayLine | undefined;
  readonly closed: Promise<unknown>[];
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new InvalidOptionsError(`${name} must be a number >= 0, got ${String(value)}`);
  return value;
}

function listen(server: net.Server, at: HostPort): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(new ProxyListenError(at.host, at.port, err));
    server.once('error', onError);
    server.listen(at.port, at.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Ends `socket` once `line` has delivered everything queued in it. */
function endAfter(line: DelayLine | undefined, socket: net.Socket, then?: () => void): void {
  const end = (): void => {
    socket.end(then);
  };
  if (line === undefined) end();
  else line.onEmptyOnce(end);
}

/**
 * Starts a TCP fault proxy. A byte stream cannot lose data, so `lossRate` is modelled as a stall:
 * the hit chunk and everything behind it wait one-way delay + max(lossStallMinMs, RTT), as a
 * retransmission would. That is kinder to TCP than a real lossy path (no congestion-window
 * collapse, no RTO back-off). `blackhole` and `partition` hold data until healed (retransmission
 * succeeding after the outage) instead of dropping it.
 */
export async function createTcpFaultProxy(options: TcpFaultProxyOptions): Promise<FaultProxy> {
  const resolved = resolveProxyOptions(options);
  const lossStallMinMs = positiveInteger('lossStallMinMs', options.lossStallMinMs ?? 200);
  const segmentBytes = positiveInteger('segmentBytes', options.segmentBytes ?? 1460) || 1460;
  const { target, queueLimitBytes } = resolved;
  const state = new FaultState('tcp', options.faults, options.seed);
  const connections = new Set<TcpConnection>();
  const pending = new Set<TcpConnection>();
  let totalFlows = 0;
  let closed = false;

  const server = net.createServer({ allowHalfOpen: true }, onConnection);
  await listen(server, resolved.listen);
  server.on('error', () => undefined);
  const bound = server.address() as net.AddressInfo;
  const address: HostPort = { host: bound.address, port: bound.port };

  function isHeld(direction: Direction): boolean {
    return state.faults.partition || state.of(direction).blackhole;
  }

  function forward(direction: Direction, chunk: Buffer, line: DelayLine): void {
    const f = state.of(direction);
    let delayMs = state.sampleDelay(f);
    if (f.lossRate > 0) {
      const segments = Math.max(1, Math.ceil(chunk.length / segmentBytes));
      const chunkLoss = 1 - (1 - f.lossRate) ** segments;
      if (state.chance(chunkLoss)) {
        const rttMs = state.of('upstream').latencyMs + state.of('downstream').latencyMs;
        delayMs += Math.max(lossStallMinMs, rttMs);
        state.counter(direction).stalledPackets++;
      }
    }
    line.push(chunk, { delayMs, bandwidthBytesPerSec: f.bandwidthBytesPerSec });
  }

  function makeLine(direction: Direction, source: net.Socket, sink: net.Socket): DelayLine {
    const counter = state.counter(direction);
    const line = new DelayLine({
      overflow: 'pressure',
      queueLimitBytes,
      deliver: (chunk) => {
        counter.forwardedPackets++;
        counter.forwardedBytes += chunk.length;
        return sink.destroyed ? true : sink.write(chunk);
      },
      onPressure: (over) => (over ? source.pause() : source.resume()),
    });
    sink.on('drain', () => line.resumeSink());
    line.setHeld(isHeld(direction));
    return line;
  }

  function watch(conn: TcpConnection, socket: net.Socket, towardsPeer: Direction): void {
    socket.on('error', () => undefined);
    conn.closed.push(new Promise((resolve) => socket.once('close', resolve)));
    socket.on('close', (hadError) => {
      const peer = towardsPeer === 'upstream' ? conn.upstream : conn.client;
      if (peer !== undefined && !peer.destroyed) {
        // An RST on one side becomes an RST on the other; a clean close first delivers what is queued.
        if (hadError) peer.resetAndDestroy();
        else endAfter(towardsPeer === 'upstream' ? conn.up : conn.down, peer, () => peer.destroy());
      }
      if (conn.client.destroyed && (conn.upstream === undefined || conn.upstream.destroyed)) {
        conn.up?.close();
        conn.down?.close();
        connections.delete(conn);
        pending.delete(conn);
      }
    });
  }

  function connectUpstream(conn: TcpConnection): void {
    pending.delete(conn);
    const { client } = conn;
    const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
    conn.upstream = upstream;
    const up = makeLine('upstream', client, upstream);
    const down = makeLine('downstream', upstream, client);
    conn.up = up;
    conn.down = down;
    watch(conn, upstream, 'downstream');
    client.on('data', (chunk: Buffer) => forward('upstream', chunk, up));
    upstream.on('data', (chunk: Buffer) => forward('downstream', chunk, down));
    client.on('end', () => endAfter(up, upstream));
    upstream.on('end', () => endAfter(down, client));
    client.resume();
  }

  function onConnection(client: net.Socket): void {
    if (closed || state.faults.reset) {
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    totalFlows++;
    const conn: TcpConnection = { client, upstream: undefined, up: undefined, down: undefined, closed: [] };
    connections.add(conn);
    watch(conn, client, 'upstream');
    if (state.faults.partition) {
      // A partition: the handshake "never completes" for the application until healed.
      client.pause();
      pending.add(conn);
      return;
    }
    connectUpstream(conn);
  }

  function resetAll(): void {
    for (const conn of connections) {
      conn.client.resetAndDestroy();
      conn.upstream?.resetAndDestroy();
    }
  }

  state.onChange((faults) => {
    if (faults.reset) resetAll();
    for (const conn of connections) {
      conn.up?.setHeld(isHeld('upstream'));
      conn.down?.setHeld(isHeld('downstream'));
    }
    if (!faults.partition) for (const conn of [...pending]) connectUpstream(conn);
  });

  return {
    address,
    get faults() {
      return state.faults;
    },
    get stats() {
      return state.snapshot(connections.size, totalFlows);
    },
    setFaults(update) {
      if (closed) throw new ProxyClosedError('setFaults()');
      state.update(update);
    },
    clearFaults() {
      if (closed) throw new ProxyClosedError('clearFaults()');
      state.clear();
    },
    async close() {
      if (closed) return;
      closed = true;
      state.dispose();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      const socketsClosed: Promise<unknown>[] = [];
      for (const conn of connections) {
        socketsClosed.push(...conn.closed);
        conn.up?.close();
        conn.down?.close();
        conn.client.destroy();
        conn.upstream?.destroy();
      }
      connections.clear();
      pending.clear();
      await Promise.all([serverClosed, ...socketsClosed]);
    },
  };
}
