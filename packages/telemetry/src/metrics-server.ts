import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidTelemetryOptionsError, MetricsServerListenError } from './errors';
import type { MetricsServer, MetricsServerOptions } from './types';

const TEXT = 'text/plain; charset=utf-8';

/**
 * Serves `/metrics` (Prometheus exposition), `/healthz` (the process answers) and `/readyz`
 * (the readiness callback says it can take work) on node:http.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, readiness } = validate(options);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => reply(res, 500, `internal error: ${String(err)}\n`));
  });
  // Slow-loris protection: a scrape is one small GET.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return reply(res, 405, 'method not allowed\n');
    }
    if (path === '/metrics') {
      const body = await registry.metrics();
      return reply(res, 200, body, registry.contentType);
    }
    if (path === '/healthz') return reply(res, 200, 'ok\n');
    if (path === '/readyz') {
      let ready = false;
      let detail = 'not ready';
      try {
        ready = readiness === undefined ? true : (await readiness()) === true;
      } catch (err) {
        detail = `readiness check failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      return ready ? reply(res, 200, 'ready\n') : reply(res, 503, `${detail}\n`);
    }
    return reply(res, 404, 'not found: try /metrics, /healthz or /readyz\n');
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (err: unknown) => reject(new MetricsServerListenError(host, port, err));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // After listening, an error on the server (not a socket) must not crash the process.
  server.on('error', () => {});
  server.on('clientError', (_err, socket) => socket.destroy());

  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets (Prometheus keeps one per target) would hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function reply(res: ServerResponse, status: number, body: string, contentType = TEXT): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function validate(options: MetricsServerOptions): MetricsServerOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidTelemetryOptionsError('options must be an object');
  }
  const { registry, port, host, readiness } = options;
  if (registry === null || typeof registry !== 'object' || typeof registry.metrics !== 'function') {
    throw new InvalidTelemetryOptionsError('registry must be a prom-client Registry (TelemetryMetrics.registry)');
  }
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new InvalidTelemetryOptionsError(`port must be an integer in 0..65535, got ${String(port)}`);
  }
  if (host !== undefined && (typeof host !== 'string' || host.length === 0)) {
    throw new InvalidTelemetryOptionsError('host must be a non-empty string');
  }
  if (readiness !== undefined && typeof readiness !== 'function') {
    throw new InvalidTelemetryOptionsError('readiness must be a function returning a boolean or a promise of one');
  }
  return options;
}
