/**
 * @agentlink/qe-fleet — the reference app: a coordinator, executors, a flakiness analyser and a
 * reporter coordinating over QUIC with mutual TLS. The suite replays FlakeFlagger history; the
 * coordinator's ledger proves every task completed exactly once.
 *
 * @example
 * ```ts
 * import { createLearningPredictor, DEFAULT_FLEET_OPTIONS, formatSummaryTable, runFleet } from '@agentlink/qe-fleet';
 *
 * const result = await runFleet(
 *   { ...DEFAULT_FLEET_OPTIONS, agents: 6, suiteSize: 60, durationS: 3 },
 *   { createPredictor: (training) => createLearningPredictor(training, { maxEpochs: 3 }) },
 * );
 * console.log(formatSummaryTable(result.summary));
 * process.exitCode = result.exitCode;
 * ```
 */
export { runFleet, type FleetRunResult, type RunFleetDependencies, type RunningFleet } from './fleet/run-fleet';
export {
  DEFAULT_FLEET_OPTIONS,
  type FaultSpec,
  type FleetMode,
  type FleetOptions,
  type SuiteKind,
} from './fleet/fleet-options';
export { planFleet, type FleetPlan, type PlannedAgent } from './fleet/fleet-plan';
export { launchInProcess, type AgentLauncher, type LaunchedAgent, type LaunchContext } from './fleet/launcher';
export {
  runProcessFleet,
  type ProcessFleetDependencies,
  type ProcessFleetResult,
  type RunningProcessFleet,
  type HarnessFleet,
} from './fleet/process-fleet';
export { resolveAgentEntry, type AgentEntry } from './fleet/agent-entry';
export { placeAgents, writeFleetConfigs, NAMESPACE_SUBNET, type AgentPlacement } from './fleet/configured-fleet';
export { startAgentNode, type AgentNode, type AgentNodeOptions, type AgentRole } from './fleet/agent-node';
export { CoordinatorAgent, type CoordinatorAgentOptions } from './agents/coordinator-agent';
export { ExecutorAgent, type ExecutorAgentOptions, type ExecutorStats } from './agents/executor-agent';
export { AnalyserAgent, type AnalyserAgentOptions } from './agents/analyser-agent';
export { ReporterAgent, type ReporterAgentOptions, type ReportSubmission } from './agents/reporter-agent';
export type { RunRecord, TaskResultRecord, BreakerTransition } from './agents/run-record';
export { TaskLedger, type Accounting, type DispatchRecord, type ResultBooking } from './ledger/task-ledger';
export { loadFlakeFlaggerSuite, normaliseTestName } from './suite/flakeflagger-data';
export { sampleSuite, excludeSuite, type SampleOptions } from './suite/suite-sampler';
export { planReplayTiming, replayDurationMs, replayFails, type ReplayTiming } from './suite/replay';
export type { SuiteTest, CommandTest } from './suite/types';
export { buildSummary, accountingHolds, type FleetSummary } from './report/fleet-summary';
export { formatSummaryTable } from './report/summary-table';
export { comparePredictions, type PredictionQuality } from './report/prediction-quality';
export { LatencyHistogram, type LatencySummary } from './report/latency-histogram';
export { createLearningPredictor, toDataset, type LearningPredictorOptions } from './model/learning-predictor';
export type { FlakinessPredictor, FlakinessJudgement } from './model/flakiness-predictor';
export type { FleetLink, PeerEndpoint, MessageHandler, MessageContext } from './messaging/fleet-link';
export { TransportFleetLink } from './messaging/transport-fleet-link';
export { METHODS, type TaskSpec, type PredictionAnswer, type ResultMessage } from './messaging/protocol';
export { parseConfig, validateConfig, type FleetConfig, type PeerConfig } from './config/fleet-config';
export { loadCredentials } from './config/load-credentials';
export { runConfiguredAgent, planFromConfig } from './config/run-configured-agent';
export { parseArgs, parseFault, USAGE } from './cli/parse-args';
export { runCli } from './cli/run-cli';
export {
  AgentStartError,
  ConfigError,
  InvalidFlagError,
  ProductionCertificatesRequiredError,
  ProtocolMessageError,
  RunTimeoutError,
  SuiteDataError,
  UnknownPeerError,
} from './errors';
