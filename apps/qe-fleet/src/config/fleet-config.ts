import { ConfigSyntaxError, ConfigUnknownKeyError, ConfigValueError } from '../errors';
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

/** Coordinator only: the suite to run. */
export interface SuiteConfig {
  readonly size?: number;
  readonly durationS?: number;
  readonly seed?: number;
  readonly dataDir?: string;
  readonly modelDir?: string;
  /** Times the suite is run; 0 = until stopped. Default 1. */
  readonly rounds?: number;
  /** Pause between rounds, in s. Default 30. */
  readonly pauseS?: number;
}

/** The production configuration of one agent (one process, e.g. one pod). */
export interface FleetConfig {
  readonly agent: { readonly id: string; readonly role: AgentRole };
  readonly transport: TransportChoice;
  /** `udpPort` for QUIC, `tcpPort` for TLS over TCP (transport tcp or auto; tcp alone falls back to udpPort). */
  readonly listen: { readonly host: string; readonly udpPort: number; readonly tcpPort?: number };
  readonly metrics: { readonly host: string; readonly port: number };
  /** PEM files: own certificate chain, private key, fleet CA. */
  /** Files re-read every reloadIntervalS (default 60; 0 = never) so renewed certificates apply without a restart. */
  readonly tls?: {
    readonly certFile: string;
    readonly keyFile: string;
    readonly caFile: string;
    readonly reloadIntervalS?: number;
  };
  readonly peers: readonly PeerConfig[];
  /** Accept development certificates (OU=agentlink-development). Default false; never in production. */
  readonly development?: boolean;
  readonly suite?: SuiteConfig;
}

const ROLES: readonly AgentRole[] = ['coordinator', 'executor', 'analyser', 'reporter'];
const TRANSPORTS: readonly TransportChoice[] = ['quic', 'tcp', 'auto'];
const ID = /^[A-Za-z0-9._-]{1,128}$/;

// Every key the schema knows, per object: anything else is refused (a typo must not start silently).
const KEYS = {
  root: ['agent', 'transport', 'listen', 'metrics', 'tls', 'peers', 'development', 'suite'],
  agent: ['id', 'role'],
  listen: ['host', 'udpPort', 'tcpPort'],
  metrics: ['host', 'port'],
  tls: ['certFile', 'keyFile', 'caFile', 'reloadIntervalS'],
  peer: ['id', 'role', 'host', 'udpPort', 'tcpPort', 'serverName'],
  suite: ['size', 'durationS', 'seed', 'dataDir', 'modelDir', 'rounds', 'pauseS'],
} as const;

type Json = Record<string, unknown>;

/** Field checks bound to one file: each throws a ConfigValueError naming file, field and value. */
function fieldChecks(source: string) {
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new ConfigValueError(source, field, value, expected);
  };
  const at = (prefix: string, key: string): string => (prefix === '' ? key : `${prefix}.${key}`);
  const object = (v: unknown, field: string, keys: readonly string[]): Json => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail(field, v, 'must be an object');
    for (const [key, value] of Object.entries(v)) {
      if (!keys.includes(key)) {
        throw new ConfigUnknownKeyError(source, at(field === 'the configuration' ? '' : field, key), value, keys);
      }
    }
    return v as Json;
  };
  const text = (v: unknown, field: string): string =>
    typeof v === 'string' && v.length > 0 ? v : fail(field, v, 'must be a non-empty string');
  const optionalText = (v: unknown, field: string): string | undefined =>
    v === undefined ? undefined : text(v, field);
  const integer = (v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? (v as number)
      : fail(field, v, `must be an integer from ${min} to ${max}`);
  const optionalInteger = (v: unknown, field: string, min: number, max?: number): number | undefined =>
    v === undefined ? undefined : integer(v, field, min, max);
  const seconds = (v: unknown, field: string, min: number): number | undefined => {
    if (v === undefined) return undefined;
    return typeof v === 'number' && Number.isFinite(v) && v >= min && (min > 0 || v >= 0)
      ? v
      : fail(field, v, `must be a number of seconds ${min > 0 ? '> 0' : '>= 0'}`);
  };
  const port = (v: unknown, field: string): number => integer(v, field, 0, 65_535);
  const optionalPort = (v: unknown, field: string): number | undefined =>
    v === undefined ? undefined : port(v, field);
  const id = (v: unknown, field: string): string =>
    typeof v === 'string' && ID.test(v) ? v : fail(field, v, 'must be 1-128 characters of A-Z a-z 0-9 . _ -');
  const oneOf = <T extends string>(v: unknown, field: string, allowed: readonly T[]): T =>
    allowed.includes(v as T) ? (v as T) : fail(field, v, `must be one of ${allowed.join(', ')}`);
  return { fail, object, text, optionalText, integer, optionalInteger, seconds, port, optionalPort, id, oneOf };
}

/**
 * Validates a parsed configuration strictly: unknown keys are refused with their key path, and
 * every bad value is a ConfigValueError naming the file, the field and the value.
 */
export function validateConfig(value: unknown, source: string): FleetConfig {
  const c = fieldChecks(source);
  const root = c.object(value, 'the configuration', KEYS.root);
  const agent = c.object(root.agent, 'agent', KEYS.agent);
  const listen = c.object(root.listen, 'listen', KEYS.listen);
  const metrics = c.object(root.metrics ?? { host: '127.0.0.1', port: 9464 }, 'metrics', KEYS.metrics);
  const transport = c.oneOf(root.transport ?? 'quic', 'transport', TRANSPORTS);
  let tls: FleetConfig['tls'];
  if (root.tls !== undefined) {
    const t = c.object(root.tls, 'tls', KEYS.tls);
    tls = {
      certFile: c.text(t.certFile, 'tls.certFile'),
      keyFile: c.text(t.keyFile, 'tls.keyFile'),
      caFile: c.text(t.caFile, 'tls.caFile'),
      reloadIntervalS: c.seconds(t.reloadIntervalS, 'tls.reloadIntervalS', 0) ?? 60,
    };
  }
  if (root.development !== undefined && typeof root.development !== 'boolean') {
    c.fail('development', root.development, 'must be true or false');
  }
  if (!Array.isArray(root.peers)) c.fail('peers', root.peers, 'must be an array');
  const peers = (root.peers as unknown[]).map((p, i) => {
    const at = `peers[${i}]`;
    const peer = c.object(p, at, KEYS.peer);
    return {
      id: c.id(peer.id, `${at}.id`),
      role: c.oneOf(peer.role, `${at}.role`, ROLES),
      host: c.text(peer.host, `${at}.host`),
      udpPort: c.port(peer.udpPort, `${at}.udpPort`),
      tcpPort: c.optionalPort(peer.tcpPort, `${at}.tcpPort`),
      serverName: c.optionalText(peer.serverName, `${at}.serverName`),
    };
  });
  const config: FleetConfig = {
    agent: { id: c.id(agent.id, 'agent.id'), role: c.oneOf(agent.role, 'agent.role', ROLES) },
    transport,
    listen: {
      host: c.text(listen.host ?? '0.0.0.0', 'listen.host'),
      udpPort: c.port(listen.udpPort, 'listen.udpPort'),
      tcpPort: c.optionalPort(listen.tcpPort, 'listen.tcpPort'),
    },
    metrics: { host: c.text(metrics.host ?? '127.0.0.1', 'metrics.host'), port: c.port(metrics.port, 'metrics.port') },
    tls,
    peers,
    development: root.development === true,
    suite: root.suite === undefined ? undefined : validateSuite(c, c.object(root.suite, 'suite', KEYS.suite)),
  };
  const ids = new Set<string>([config.agent.id]);
  for (const [i, peer] of peers.entries()) {
    if (ids.has(peer.id)) c.fail(`peers[${i}].id`, peer.id, 'is listed twice (or is the agent itself)');
    ids.add(peer.id);
  }
  const roles = new Set([config.agent.role, ...peers.map((p) => p.role)]);
  for (const needed of ['coordinator', 'analyser', 'reporter'] as const) {
    if (!roles.has(needed)) c.fail('peers', peers.map((p) => p.role), `need a ${needed} (the agent itself or a peer)`);
  }
  return config;
}

function validateSuite(c: ReturnType<typeof fieldChecks>, s: Json): SuiteConfig {
  return {
    size: c.optionalInteger(s.size, 'suite.size', 1, 100_000),
    durationS: c.seconds(s.durationS, 'suite.durationS', 1e-3),
    seed: c.optionalInteger(s.seed, 'suite.seed', 0, 2 ** 32 - 1),
    dataDir: c.optionalText(s.dataDir, 'suite.dataDir'),
    modelDir: c.optionalText(s.modelDir, 'suite.modelDir'),
    rounds: c.optionalInteger(s.rounds, 'suite.rounds', 0),
    pauseS: c.seconds(s.pauseS, 'suite.pauseS', 0),
  };
}

/** Parses and validates configuration text. */
export function parseConfig(text: string, source: string): FleetConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigSyntaxError(source, (error as Error).message, error);
  }
  return validateConfig(value, source);
}
