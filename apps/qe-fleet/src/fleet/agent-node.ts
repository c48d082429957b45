import type { TlsCredentials } from '@agentlink/transport';
import { createTransport, type TransportChoice, type WireTuning } from '../messaging/create-transport';
import type { PeerEndpoint } from '../messaging/fleet-link';
import { TransportFleetLink } from '../messaging/transport-fleet-link';
import { startAgentTelemetry, type AgentTelemetry } from '../telemetry/agent-telemetry';
import { portInUse } from './port-in-use';

export type AgentRole = 'coordinator' | 'executor' | 'analyser' | 'reporter';

export interface AgentNodeOptions {
  readonly id: string;
  readonly role: AgentRole;
  readonly transport: TransportChoice;
  readonly credentials: TlsCredentials;
  /** Listen address. Default 127.0.0.1, port 0 (UDP for QUIC, TCP for TLS). */
  readonly host?: string;
  readonly port?: number;
  /** TCP port of the fallback listener (transport 'auto'). Default 0. */
  readonly tcpPort?: number;
  /** Address and port of /metrics. Default 127.0.0.1, port 0. */
  readonly metricsHost?: string;
  readonly metricsPort?: number;
  readonly tuning?: WireTuning;
  /** Accept development certificates (the fleet generated its own development CA). Default false. */
  readonly development?: boolean;
}

/** A running agent without its role: the fleet link, listening, and its /metrics server. */
export interface AgentNode {
  readonly id: string;
  readonly role: AgentRole;
  readonly link: TransportFleetLink;
  readonly endpoint: PeerEndpoint;
  /** Its metrics; the role defines the app's own `qe_fleet_*` metrics on `telemetry.metrics`. */
  readonly telemetry: AgentTelemetry;
  /** Rotates the transport's certificate, key and CAs for new connections (typed error if unusable). */
  updateCredentials(credentials: TlsCredentials): void;
  close(): Promise<void>;
}

/** Starts the transport, listens, and serves /metrics for one agent. */
export async function startAgentNode(options: AgentNodeOptions): Promise<AgentNode> {
  const development = options.development === true;
  const transport = createTransport(options.transport, options.credentials, options.tuning, development);
  const link = new TransportFleetLink({
    agentId: options.id,
    kind: options.transport,
    transport,
    connectTimeoutMs: options.tuning?.connectTimeoutMs,
  });
  let telemetry: AgentTelemetry | undefined;
  try {
    const host = options.host ?? '127.0.0.1';
    const endpoint = await link.listen(host, options.port ?? 0, options.tcpPort).catch((error: unknown) => {
      throw portInUse(error, host, `the ${options.transport} listener of ${options.id}`, options.port ?? 0) ?? error;
    });
    const metricsHost = options.metricsHost ?? '127.0.0.1';
    telemetry = await startAgentTelemetry({
      agentId: options.id,
      role: options.role,
      host: metricsHost,
      port: options.metricsPort ?? 0,
    }).catch((error: unknown) => {
      throw portInUse(error, metricsHost, `the /metrics server of ${options.id}`, options.metricsPort ?? 0) ?? error;
    });
    telemetry.observeTransport(link.telemetrySource);
    // listen() ran the first expiry check before telemetry listened, and the next is an hour
    // away: re-applying the same credentials (checked as a rotation) runs the check now.
    transport.updateCredentials(options.credentials);
    const started = telemetry;
    return {
      id: options.id,
      role: options.role,
      link,
      endpoint,
      telemetry: started,
      updateCredentials: (credentials) => transport.updateCredentials(credentials),
      close: async () => {
        await link.close();
        await started.close();
      },
    };
  } catch (error) {
    await link.close();
    await telemetry?.close();
    throw error;
  }
}
