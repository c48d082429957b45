/**
 * Checks of the patched @matrixai/quic `retry` option (exit code 0 = all passed):
 *  - default server: `retry` is true and a dial costs a Retry round trip more than `retry: false`;
 *  - `retry: false` still refuses a client certificate from another CA and a client without one,
 *    and the client still refuses a server it does not trust;
 *  - every client datagram duplicated (the race of two Initials of one flight): one connection each;
 *  - 20 concurrent dials succeed; afterwards no pending accept and no id alias is left.
 *
 * Build first (the fault proxy comes from @agentlink/test-harness): npx nx run-many -t build
 *   npx tsx tools/bench/quic-retry-off-check.ts [--lib <dir of @matrixai/quic>] [--coalesce]
 *
 * `--coalesce` runs every check with the patch's opt-in `coalesceSends: true` on both sides.
 */
import { createUdpFaultProxy } from '@agentlink/test-harness';
import { createBenchPki, type BenchPki } from './quic-bench-pki';
import { loadQuic, dialQuic, quicRequest } from './quic-bench-echo';
import { randomFillSync, createHmac } from 'node:crypto';
import Logger, { LogLevel } from '@matrixai/logger';

const libArg = process.argv.indexOf('--lib');
const quic = await loadQuic(libArg > 0 ? process.argv[libArg + 1] : undefined);
const extraConfig = process.argv.includes('--coalesce') ? { coalesceSends: true } : {};
const pki = createBenchPki();
const other = createBenchPki();
const payload = new Uint8Array(64).fill(0x62);
let failures = 0;
const check = (name: string, ok: boolean, detail = ''): void => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `  (${detail})` : ''}`);
  if (!ok) failures++;
};
const withDeadline = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`deadline ${ms} ms`)), ms).unref())]);

function key(): ArrayBuffer {
  const k = new Uint8Array(32);
  randomFillSync(k);
  return k.buffer;
}
const hmac = async (k: ArrayBuffer, d: ArrayBuffer): Promise<ArrayBuffer> => {
  const x = createHmac('sha256', Buffer.from(k)).update(Buffer.from(d)).digest();
  return x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength) as ArrayBuffer;
};

async function server(retry: boolean | undefined): Promise<{ s: InstanceType<typeof quic.QUICServer>; accepted: () => number; close: () => Promise<void> }> {
  const s = new quic.QUICServer({
    crypto: { key: key(), ops: { sign: hmac, verify: async (k, d, sig) => Buffer.from(await hmac(k, d)).equals(Buffer.from(sig)) } },
    config: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca, verifyPeer: true, maxIdleTimeout: 5_000, ...extraConfig },
    logger: new Logger('check', LogLevel.SILENT),
    ...(retry === undefined ? {} : { retry }),
  } as ConstructorParameters<typeof quic.QUICServer>[0]);
  let n = 0;
  s.addEventListener(quic.events.EventQUICServerConnection.name, (evt: Event) => {
    n++;
    const conn = (evt as InstanceType<typeof quic.events.EventQUICServerConnection>).detail;
    conn.addEventListener(quic.events.EventQUICConnectionStream.name, (e: Event) => {
      const stream = (e as InstanceType<typeof quic.events.EventQUICConnectionStream>).detail;
      void (async () => {
        const w = stream.writable.getWriter();
        try {
          for await (const c of stream.readable) await w.write(c);
          await w.close();
        } catch { /* peer gone */ }
      })();
    });
  });
  s.addEventListener(quic.events.EventQUICServerError.name, () => {});
  await s.start({ host: '127.0.0.1', port: 0 });
  return { s, accepted: () => n, close: () => s.stop({ force: true }) };
}

let lastAnswerMs = 0;
async function dialAndAsk(port: number, clientPki: BenchPki = pki, ca = pki.ca): Promise<'ok' | string> {
  let d: Awaited<ReturnType<typeof dialQuic>> | undefined;
  try {
    const t = performance.now();
    d = await withDeadline(dialQuic(quic, { ...clientPki, ca }, port, { maxIdleTimeout: 2_000, ...extraConfig }), 3_000);
    const r = await withDeadline(quicRequest(d.conn, payload), 3_000);
    lastAnswerMs = performance.now() - t;
    return r.equals(Buffer.from(payload)) ? 'ok' : 'wrong echo';
  } catch (e) {
    return (e as Error).constructor.name + ': ' + (e as Error).message.slice(0, 80);
  } finally {
    if (d) await d.close().catch(() => {});
  }
}

// 1. default stays Retry on; round trips through a 50 ms each-way relay
{
  const def = await server(undefined);
  const off = await server(false);
  check('default server has retry === true', (def.s as unknown as { retry: boolean }).retry === true);
  const timeDial = async (port: number): Promise<number> => {
    const proxy = await createUdpFaultProxy({ target: { host: '127.0.0.1', port }, faults: { latencyMs: 50 } });
    await dialAndAsk(proxy.address.port); // warm-up: a new proxy session can cost the first datagram a PTO
    const r = await dialAndAsk(proxy.address.port);
    const ms = lastAnswerMs; // dial to first response, without the close
    await proxy.close();
    if (r !== 'ok') throw new Error(r);
    return ms;
  };
  const tDef = await timeDial(def.s.port);
  const tOff = await timeDial(off.s.port);
  check('default (Retry) dial+first response takes >= 3 RTT', tDef >= 300, `${tDef.toFixed(0)} ms at 100 ms RTT`);
  check('retry:false dial+first response takes < 3 RTT', tOff < 300 && tOff >= 200, `${tOff.toFixed(0)} ms at 100 ms RTT`);
  await def.close();
  await off.close();
}

// 2. certificates are still checked with retry off
{
  const off = await server(false);
  const bad = await dialAndAsk(off.s.port, other); // client cert from an unknown CA
  check('retry:false refuses a client certificate from another CA', bad !== 'ok', bad);
  const noCert = await dialAndAsk(off.s.port, { ...pki, client: { key: undefined as never, cert: undefined as never } });
  check('retry:false refuses a client without certificate', noCert !== 'ok', noCert);
  const untrusted = await dialAndAsk(off.s.port, pki, other.ca); // client does not trust the server's CA
  check('client refuses an untrusted server (retry:false)', untrusted !== 'ok', untrusted);
  check('no connection was accepted for the three bad dials', off.accepted() === 0, `accepted ${off.accepted()}`);
  const good = await dialAndAsk(off.s.port);
  check('retry:false accepts a good client', good === 'ok', good);
  await off.close();
}

// 3. duplicated Initials (two datagrams of one flight racing through acceptConnection)
{
  const off = await server(false);
  const proxy = await createUdpFaultProxy({ target: { host: '127.0.0.1', port: off.s.port }, faults: { upstream: { duplicateRate: 1 } } });
  const results: string[] = [];
  for (let i = 0; i < 10; i++) results.push(await dialAndAsk(proxy.address.port));
  check('every client datagram duplicated: 10 dials succeed', results.every((r) => r === 'ok'), results.filter((r) => r !== 'ok').join('; '));
  check('... and exactly one server connection per dial', off.accepted() === 10, `accepted ${off.accepted()}`);
  await proxy.close();
  await off.close();
}

// 4. concurrency and clean-up
{
  const off = await server(false);
  const rs = await Promise.all(Array.from({ length: 20 }, () => dialAndAsk(off.s.port)));
  check('20 concurrent dials with retry:false succeed', rs.every((r) => r === 'ok'), rs.filter((r) => r !== 'ok').join('; '));
  const internals = off.s as unknown as { acceptsPending: Map<unknown, unknown>; connectionAliases: Map<unknown, unknown> };
  const socketMap = (off.s as unknown as { socket: { connectionMap: { _aliases: Map<unknown, unknown> } } }).socket.connectionMap;
  check('no pending accept and no id alias left', internals.acceptsPending.size === 0 && internals.connectionAliases.size === 0 && socketMap._aliases.size === 0,
    `pending ${internals.acceptsPending.size}, aliases ${internals.connectionAliases.size}/${socketMap._aliases.size}`);
  await off.close();
}

console.log(failures === 0 ? 'all checks passed' : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
