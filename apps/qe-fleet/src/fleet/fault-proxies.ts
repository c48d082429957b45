import type { TransportChoice } from '../messaging/create-transport';
import type { PeerEndpoint } from '../messaging/fleet-link';
import type { FaultSpec } from './fleet-options';
import { loadTestHarness } from './load-test-harness';

/** The part of a test-harness fault proxy the fleet uses. */
export interface FleetFaultProxy {
  readonly address: { readonly host: string; readonly port: number };
  setFaults(update: Record<string, unknown>): void;
  clearFaults(): void;
  close(): Promise<void>;
}

/** One executor's proxies and the endpoint that routes through them. */
export interface ProxiedEndpoint {
  readonly endpoint: PeerEndpoint;
  readonly proxies: readonly FleetFaultProxy[];
}

interface FaultProxyFactories {
  createUdpFaultProxy(options: {
    target: { host: string; port: number };
    faults?: Record<string, unknown>;
    seed?: number;
  }): Promise<FleetFaultProxy>;
  createTcpFaultProxy(options: {
    target: { host: string; port: number };
    faults?: Record<string, unknown>;
    seed?: number;
  }): Promise<FleetFaultProxy>;
}

/** The fault proxy lives in the dev-only test harness: loaded only when faults are asked for. */
export async function loadFaultProxyFactories(): Promise<FaultProxyFactories> {
  return loadTestHarness<FaultProxyFactories>('--fault');
}

/** Puts fault proxies (UDP for QUIC, TCP for TLS, both for auto) in front of an endpoint. */
export async function proxyEndpoint(
  factories: FaultProxyFactories,
  target: PeerEndpoint,
  transport: TransportChoice,
  fault: FaultSpec,
  seed: number,
): Promise<ProxiedEndpoint> {
  const faults = { lossRate: fault.lossRate, latencyMs: fault.latencyMs, jitterMs: fault.jitterMs };
  const proxies: FleetFaultProxy[] = [];
  try {
    let port = target.port;
    let tcpPort = target.tcpPort;
    if (transport !== 'tcp') {
      const udp = await factories.createUdpFaultProxy({
        target: { host: target.host, port: target.port },
        faults,
        seed,
      });
      proxies.push(udp);
      port = udp.address.port;
    }
    if (transport !== 'quic') {
      const tcpTarget = target.tcpPort ?? target.port;
      const tcp = await factories.createTcpFaultProxy({
        target: { host: target.host, port: tcpTarget },
        faults,
        seed: seed + 1,
      });
      proxies.push(tcp);
      tcpPort = tcp.address.port;
      if (transport === 'tcp') port = tcp.address.port;
    }
    return { endpoint: { host: target.host, port, tcpPort, serverName: target.serverName }, proxies };
  } catch (error) {
    await Promise.all(proxies.map((p) => p.close()));
    throw error;
  }
}
