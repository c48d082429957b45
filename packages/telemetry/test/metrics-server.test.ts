import http from 'node:http';
import net from 'node:net';
import { createHook } from 'node:async_hooks';
import { once } from 'node:events';
import { describe, it, expect, afterEach } from '@jest/globals';
import {
  createTelemetryMetrics,
  InvalidTelemetryOptionsError,
  MetricsServerListenError,
  startMetricsServer,
} from '../src/index';
import type { MetricsServer } from '../src/index';

const servers: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Partial<Parameters<typeof startMetricsServer>[0]> = {}) {
  const metrics = createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 4096 });
  const server = await startMetricsServer({ registry: metrics.registry, ...options });
  servers.push(server);
  return { metrics, server };
}

/**
 * Tracks the TCP handles (listening and connected) created while it is enabled, so a leak check
 * ignores sockets that other tests left closing in the background.
 */
function trackTcpHandles() {
  const open = new Set<number>();
  let created = 0;
  const hook = createHook({
    init(asyncId, type) {
      if (type === 'TCPSERVERWRAP' || type === 'TCPWRAP') {
        open.add(asyncId);
        created++;
      }
    },
    destroy(asyncId) {
      open.delete(asyncId);
    },
  }).enable();
  return {
    /** Handles created since tracking began and not yet destroyed, after pending destroys have run. */
    async stillOpen(): Promise<number> {
      await new Promise((resolve) => setImmediate(resolve));
      return open.size;
    },
    /** Handles created since tracking began, closed or not. */
    created: () => created,
    stop: () => hook.disable(),
  };
}

describe('startMetricsServer', () => {
  // First in the file, before fetch() in other tests leaves sockets of its own closing in the background.
  it('close() ends idle keep-alive connections and leaves no handles behind', async () => {
    const handles = trackTcpHandles();
    const { server } = await start();
    const agent = new http.Agent({ keepAlive: true });
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get(`${server.url}/metrics`, { agent }, (res) => {
          let text = '';
          res
            .setEncoding('utf8')
            .on('data', (c: string) => (text += c))
            .on('end', () => resolve(text))
            .on('error', reject);
        })
        .on('error', reject);
    });
    expect(body).toContain('quic_connections_active');
    // The agent now holds one idle keep-alive socket to the server.
    const idle = Object.values(agent.freeSockets).flat();
    expect(idle).toHaveLength(1);
    const socketClosed = once(idle[0]!, 'close');
    // The listening socket, the server's end and the client's end of the connection.
    expect(handles.created()).toBeGreaterThanOrEqual(3);
    expect(await handles.stillOpen()).toBeGreaterThanOrEqual(3);

    await server.close();
    await socketClosed;
    agent.destroy();
    expect(await handles.stillOpen()).toBe(0);
    handles.stop();
    // A second close is a no-op, not an error.
    await expect(server.close()).resolves.toBeUndefined();
  });

  it('close() also ends a connection whose request is still being answered', async () => {
    let entered!: () => void;
    const inReadiness = new Promise<void>((resolve) => (entered = resolve));
    // A readiness check that never answers keeps the request (and its connection) busy.
    const { server } = await start({
      readiness: () => {
        entered();
        return new Promise<boolean>(() => {});
      },
    });
    const socket = net.connect(server.port, '127.0.0.1');
    socket.on('error', () => {}); // the server resets it on close; that is the point
    // Not events.once: it rejects on the reset's 'error' event.
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write('GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n');
    await inReadiness;
    await server.close();
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it('serves the registry exposition on /metrics with the Prometheus content type', async () => {
    const { server } = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain('agentlink_memory_limit_bytes 4096');
  });

  it('answers /healthz, /readyz, unknown paths and other methods', async () => {
    const { server } = await start();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/readyz`)).text()).toBe('ready\n');
    const missing = await fetch(`${server.url}/nope`);
    expect([missing.status, await missing.text()]).toEqual([404, 'not found: try /metrics, /healthz or /readyz\n']);
    const post = await fetch(`${server.url}/metrics`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    const head = await fetch(`${server.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('reports readiness from the callback, 503 when false or failing', async () => {
    let ready = false;
    const { server } = await start({ readiness: async () => ready });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    const failing = await start({
      readiness: () => {
        throw new Error('model not loaded');
      },
    });
    const res = await fetch(`${failing.server.url}/readyz`);
    expect([res.status, await res.text()]).toEqual([503, 'readiness check failed: model not loaded\n']);
  });

  it('answers 500 when the registry fails, and keeps serving', async () => {
    let fail = true;
    const registry = {
      contentType: 'text/plain',
      metrics: async () => {
        if (fail) throw new Error('collector broke');
        return 'x 1\n';
      },
    };
    const server = await startMetricsServer({ registry });
    servers.push(server);
    const res = await fetch(`${server.url}/metrics`);
    expect([res.status, await res.text()]).toEqual([500, 'internal error: Error: collector broke\n']);
    fail = false;
    expect(await (await fetch(`${server.url}/metrics`)).text()).toBe('x 1\n');
  });

  it('listens on IPv6 loopback', async () => {
    const { server } = await start({ host: '::1' });
    expect(server.url).toBe(`http://[::1]:${server.port}`);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('fails with a retryable MetricsServerListenError when the port is taken', async () => {
    const { server } = await start();
    const err = await startMetricsServer({
      registry: createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1 }).registry,
      port: server.port,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetricsServerListenError);
    expect((err as MetricsServerListenError).retryable).toBe(true);
  });

  it.each([
    ['no registry', {}],
    ['a port out of range', { port: 70000 }],
    ['an empty host', { host: '' }],
    ['a readiness that is not a function', { readiness: true }],
  ])('rejects %s with InvalidTelemetryOptionsError', async (_name, extra) => {
    const registry = createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1 }).registry;
    const options = { registry, ...extra } as Record<string, unknown>;
    if (_name === 'no registry') delete options.registry;
    await expect(startMetricsServer(options as never)).rejects.toThrow(InvalidTelemetryOptionsError);
    await expect(startMetricsServer(null as never)).rejects.toThrow(InvalidTelemetryOptionsError);
  });
});
