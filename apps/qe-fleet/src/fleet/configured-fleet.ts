import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createCertificateAuthority, issueCertificate } from '@agentlink/transport';
import type { FleetConfig } from '../config/fleet-config';
import type { FleetOptions } from './fleet-options';
import type { FleetPlan } from './fleet-plan';
import { freePorts } from './free-ports';

/** Where each agent of a multi-process fleet listens. */
export interface AgentPlacement {
  readonly id: string;
  readonly host: string;
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly metricsPort: number;
}

/** First three octets of the namespaces' private /24 (the test harness's default). */
export const NAMESPACE_SUBNET = '10.213.0';

/**
 * Places the agents: on loopback with free ports (processes), or one address per network
 * namespace with the same well-known ports (namespaces, addresses <subnet>.2 upwards in plan order).
 */
export async function placeAgents(
  plan: FleetPlan,
  mode: 'processes' | 'namespaces',
  metricsBasePort = 0,
): Promise<AgentPlacement[]> {
  // --metrics-port N: agent i serves /metrics on N+i; 0 = any free port (namespaces: 9464 each).
  const metricsPort = (i: number, fallback: number): number =>
    metricsBasePort === 0 ? fallback : metricsBasePort + i;
  if (mode === 'namespaces') {
    return plan.agents.map((agent, i) => ({
      id: agent.id,
      host: `${NAMESPACE_SUBNET}.${i + 2}`,
      udpPort: 4433,
      tcpPort: 4434,
      metricsPort: metricsPort(i, 9464),
    }));
  }
  // The metrics ports are bound later by the agents themselves: no agent may listen for peers on one.
  const metricsSpan = metricsBasePort === 0 ? [] : [{ first: metricsBasePort, count: plan.agents.length }];
  const ports = await freePorts(plan.agents.length, '127.0.0.1', metricsSpan);
  return plan.agents.map((agent, i) => ({
    id: agent.id,
    host: '127.0.0.1',
    udpPort: ports[i]!.udp,
    tcpPort: ports[i]!.tcp,
    metricsPort: metricsPort(i, 0),
  }));
}

/**
 * Writes a development PKI (one CA, one certificate per agent naming its id as DNS SAN and its
 * address as IP SAN) and one configuration file per agent; returns the file of each agent.
 */
export async function writeFleetConfigs(
  dir: string,
  plan: FleetPlan,
  placements: readonly AgentPlacement[],
  options: FleetOptions,
  dataDir: string,
): Promise<Map<string, string>> {
  await mkdir(dir, { recursive: true });
  const ca = await createCertificateAuthority({ commonName: 'qe-fleet development CA', development: true });
  const caFile = path.join(dir, 'ca.pem');
  await writeFile(caFile, ca.certPem);
  const files = new Map<string, string>();
  for (const [i, agent] of plan.agents.entries()) {
    const place = placements[i]!;
    const issued = await issueCertificate(ca, {
      agentId: agent.id,
      usage: 'both',
      dnsNames: [agent.id, 'localhost'],
      ipAddresses: [...new Set([place.host, '127.0.0.1', '::1'])],
    });
    const certFile = path.join(dir, `${agent.id}.crt`);
    const keyFile = path.join(dir, `${agent.id}.key`);
    await writeFile(certFile, issued.certPem);
    await writeFile(keyFile, issued.keyPem, { mode: 0o600 });
    const config: FleetConfig = {
      agent: { id: agent.id, role: agent.role },
      transport: options.transport,
      listen: { host: place.host, udpPort: place.udpPort, tcpPort: place.tcpPort },
      metrics: { host: '127.0.0.1', port: place.metricsPort },
      tls: { certFile, keyFile, caFile },
      // The run generated this development CA itself; a real deployment never sets this.
      development: true,
      peers: plan.agents
        .map((peer, j) => ({ peer, place: placements[j]! }))
        .filter(({ peer }) => peer.id !== agent.id)
        .map(({ peer, place: p }) => ({
          id: peer.id,
          role: peer.role,
          host: p.host,
          udpPort: p.udpPort,
          tcpPort: p.tcpPort,
          serverName: peer.id,
        })),
      suite: {
        size: options.suiteSize,
        durationS: options.durationS,
        seed: options.seed,
        dataDir,
        modelDir: options.modelDir,
        rounds: 1,
      },
    };
    const file = path.join(dir, `${agent.id}.json`);
    await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
    files.set(agent.id, file);
  }
  return files;
}
