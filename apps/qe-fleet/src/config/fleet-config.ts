import { ConfigError } from '../errors';
import type { AgentRole } from '../fleet/agent-node';
import type { TransportChoice } from '../messaging/create-transport';

/** One peer of the agent: who it is and where it listens. */
export interface PeerConfig {
  readonly id: string;
  readonly role: AgentRole;
  readonly host: string;
  /** UDP port of its QUIC listener. */
  readonly udpPort: number;
  /** TCP port of its TLS listener (transport tcp or auto). */
  readonly tcpPort?: number;
  /** Name checked against its certificate's SANs. Default host. */
  readonly serverName?: string;
}

/** The production configuration of one agent (one process, e.g. one pod). */
export interface FleetConfig {
  readonly agent: { readonly id: string; readonly role: AgentRole };
  readonly transport: TransportChoice;
  readonly listen: { readonly host: string; readonly udpPort: number; readonly tcpPort?: number };
  readonly metrics: { readonly host: string; readonly port: number };
  /** PEM files: own certificate chain, private key, fleet CA. */
  /** Files re-read every reloadIntervalS (default 60; 0 = never) so renewed certificates apply without a restart. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string; readonly reloadIntervalS?: number };
  readonly peers: readonly PeerConfig[];
  /** Accept development certificates (OU=agentlink-development). Default false; never in production. */
  readonly development?: boolean;
  /** Coordinator only: the suite to run. */
  readonly suite?: { readonly size?: number; readonly durationS?: number; readonly seed?: number; readonly dataDir?: string; readonly modelDir?: string; readonly rounds?: number; readonly pauseS?: number };
}

const ROLES: readonly AgentRole[] = ['coordinator', 'executor', 'analyser', 'reporter'];
const TRANSPORTS: readonly TransportChoice[] = ['quic', 'tcp', 'auto'];
const ID = /^[A-Za-z0-9._-]{1,128}$/;

type Json = Record<string, unknown>;

/** Validates a parsed configuration; every problem is a ConfigError naming the field. */
export function validateConfig(value: unknown, source: string): FleetConfig {
  const fail = (field: string, detail: string): never => {
    throw new ConfigError(source, `${field} ${detail}`);
  };
  const object = (v: unknown, field: string): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : fail(field, 'must be an object'));
  const text = (v: unknown, field: string): string => (typeof v === 'string' && v.length > 0 ? v : fail(field, 'must be a non-empty string'));
  const port = (v: unknown, field: string, optional = false): number | undefined => {
    if (v === undefined && optional) return undefined;
    return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65_535 ? (v as number) : fail(field, 'must be a port number 0-65535');
  };
  const id = (v: unknown, field: string): string => (ID.test(text(v, field)) ? (v as string) : fail(field, 'must be 1-128 characters of A-Z a-z 0-9 . _ -'));
  const role = (v: unknown, field: string): AgentRole => (ROLES.includes(v as AgentRole) ? (v as AgentRole) : fail(field, `must be one of ${ROLES.join(', ')}`));

  const root = object(value, 'the configuration');
  const agent = object(root.agent, 'agent');
  const listen = object(root.listen, 'listen');
  const metrics = object(root.metrics ?? { host: '127.0.0.1', port: 9464 }, 'metrics');
  const transport = (root.transport ?? 'quic') as TransportChoice;
  if (!TRANSPORTS.includes(transport)) fail('transport', `must be one of ${TRANSPORTS.join(', ')}`);
  let tls: FleetConfig['tls'];
  if (root.tls !== undefined) {
    const t = object(root.tls, 'tls');
    const reload = t.reloadIntervalS ?? 60;
    if (typeof reload !== 'number' || !Number.isFinite(reload) || reload < 0) fail('tls.reloadIntervalS', 'must be a number of seconds >= 0 (0 = never)');
    tls = { certFile: text(t.certFile, 'tls.certFile'), keyFile: text(t.keyFile, 'tls.keyFile'), caFile: text(t.caFile, 'tls.caFile'), reloadIntervalS: reload as number };
  }
  if (root.development !== undefined && typeof root.development !== 'boolean') {
    fail('development', 'must be true or false');
  }
  if (!Array.isArray(root.peers)) fail('peers', 'must be an array');
  const peers = (root.peers as unknown[]).map((p, i) => {
    const peer = object(p, `peers[${i}]`);
    return {
      id: id(peer.id, `peers[${i}].id`),
      role: role(peer.role, `peers[${i}].role`),
      host: text(peer.host, `peers[${i}].host`),
      udpPort: port(peer.udpPort, `peers[${i}].udpPort`)!,
      tcpPort: port(peer.tcpPort, `peers[${i}].tcpPort`, true),
      serverName: peer.serverName === undefined ? undefined : text(peer.serverName, `peers[${i}].serverName`),
    };
  });
  const config: FleetConfig = {
    agent: { id: id(agent.id, 'agent.id'), role: role(agent.role, 'agent.role') },
    transport,
    listen: { host: text(listen.host ?? '0.0.0.0', 'listen.host'), udpPort: port(listen.udpPort, 'listen.udpPort')!, tcpPort: port(listen.tcpPort, 'listen.tcpPort', true) },
    metrics: { host: text(metrics.host ?? '127.0.0.1', 'metrics.host'), port: port(metrics.port, 'metrics.port')! },
    tls,
    peers,
    development: root.development === true,
    suite: root.suite === undefined ? undefined : (object(root.suite, 'suite') as FleetConfig['suite']),
  };
  const ids = new Set<string>([config.agent.id]);
  for (const peer of peers) {
    if (ids.has(peer.id)) fail('peers', `list "${peer.id}" twice (or the agent itself)`);
    ids.add(peer.id);
  }
  const roles = new Set([config.agent.role, ...peers.map((p) => p.role)]);
  for (const needed of ['coordinator', 'analyser', 'reporter'] as const) {
    if (!roles.has(needed)) fail('peers', `need a ${needed} (the agent itself or a peer)`);
  }
  return config;
}

/** Parses and validates configuration text. */
export function parseConfig(text: string, source: string): FleetConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(source, `is not JSON (${(error as Error).message})`, error);
  }
  return validateConfig(value, source);
}
