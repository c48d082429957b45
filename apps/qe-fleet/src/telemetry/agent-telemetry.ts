import {
  createTelemetryMetrics,
  instrumentBreaker,
  instrumentModel,
  instrumentTransport,
  startMetricsServer,
  type MetricsServer,
  type TelemetryMetrics,
} from '@agentlink/telemetry';

type EventSource = Parameters<typeof instrumentTransport>[0];

export interface AgentTelemetryOptions {
  readonly agentId: string;
  readonly role: string;
  /** Address of /metrics. Default 127.0.0.1. */
  readonly host?: string;
  /** Port of /metrics; 0 picks a free one. */
  readonly port: number;
  /** Readiness of the agent for /readyz. */
  readonly readiness?: () => boolean;
}

/** One agent's metrics: the telemetry catalogue (the app defines its counters on it) and the /metrics server. */
export interface AgentTelemetry {
  readonly metrics: TelemetryMetrics;
  readonly url: string;
  /** Each returns a detach that removes the listeners it added. */
  observeTransport(source: unknown): () => void;
  observeBreakers(source: unknown): () => void;
  observeModel(source: unknown): () => void;
  close(): Promise<void>;
}

/** Starts the metrics server of one agent and returns hooks to instrument its parts. */
export async function startAgentTelemetry(options: AgentTelemetryOptions): Promise<AgentTelemetry> {
  const metrics = createTelemetryMetrics({ defaultLabels: { agent: options.agentId, role: options.role } });
  const detaches: Array<() => void> = [];
  const keep = (detach: () => void): (() => void) => {
    detaches.push(detach);
    return detach;
  };
  const server: MetricsServer = await startMetricsServer({
    registry: metrics.registry,
    host: options.host ?? '127.0.0.1',
    port: options.port,
    readiness: options.readiness,
  });
  return {
    metrics,
    url: server.url,
    observeTransport: (source) => keep(instrumentTransport(source as EventSource, metrics)),
    observeBreakers: (source) => keep(instrumentBreaker(source as EventSource, metrics)),
    observeModel: (source) => keep(instrumentModel(source as EventSource, metrics)),
    close: async () => {
      for (const detach of detaches.splice(0)) detach();
      await server.close();
    },
  };
}
