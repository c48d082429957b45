import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';

/** A UDP echo server on 127.0.0.1 with an ephemeral port. */
export async function startUdpEcho(): Promise<{ port: number; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return {
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A TCP echo server on 127.0.0.1 with an ephemeral port; tracks its sockets. */
export async function startTcpEcho(): Promise<{ port: number; sockets: Set<net.Socket>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A UDP client socket that collects echoes. */
export async function udpClient(): Promise<{
  socket: dgram.Socket;
  received: Buffer[];
  send(data: Buffer | string, port: number): void;
  waitFor(count: number, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}> {
  const socket = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  let waiter: (() => void) | undefined;
  socket.on('message', (msg) => {
    received.push(msg);
    waiter?.();
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return {
    socket,
    received,
    send: (data, port) => socket.send(data, port, '127.0.0.1'),
    waitFor: (count, timeoutMs) =>
      new Promise<boolean>((resolve) => {
        if (received.length >= count) return resolve(true);
        const timer = setTimeout(() => {
          waiter = undefined;
          resolve(false);
        }, timeoutMs);
        waiter = () => {
          if (received.length >= count) {
            clearTimeout(timer);
            waiter = undefined;
            resolve(true);
          }
        };
      }),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
