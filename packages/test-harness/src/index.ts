/**
 * @agentlink/test-harness — test PKI, fault-injecting UDP/TCP proxy, fleet launcher, leak
 * checker and load generator for agentlink's tests and benchmarks (dev/test only).
 *
 * @example
 * ```ts
 * import net from 'node:net';
 * import { createTcpFaultProxy, renderMarkdownTable, runLoad } from '@agentlink/test-harness';
 *
 * const echo = net.createServer((socket) => socket.pipe(socket)).listen(0, '127.0.0.1');
 * await new Promise((resolve) => echo.once('listening', resolve));
 * const echoPort = (echo.address() as net.AddressInfo).port;
 * const proxy = await createTcpFaultProxy({ target: { host: '127.0.0.1', port: echoPort } });
 * proxy.setFaults({ latencyMs: 10 }); // changeable while running
 * const socket = net.connect(proxy.address.port, proxy.address.host);
 * const result = await runLoad({
 *   concurrency: 1,
 *   requests: 20,
 *   call: () => new Promise((resolve) => { socket.once('data', resolve); socket.write('ping'); }),
 * });
 * console.log(renderMarkdownTable([{ 'p50 (ms)': result.latency.p50, 'p99 (ms)': result.latency.p99 }]));
 * socket.destroy();
 * echo.close();
 * await proxy.close();
 * ```
 */
export type {
  Direction,
  DirectionFaults,
  DirectionStats,
  FaultProxy,
  FaultProxyOptions,
  FaultProxyStats,
  Faults,
  FaultsUpdate,
  HostPort,
  TcpFaultProxyOptions,
  UdpFaultProxy,
  UdpFaultProxyOptions,
} from './fault-proxy/types';
export { createUdpFaultProxy } from './fault-proxy/udp-proxy';
export { createTcpFaultProxy } from './fault-proxy/tcp-proxy';
export { NO_FAULTS } from './fault-proxy/faults';
export {
  assertNoLeak,
  compareSnapshots,
  takeSnapshot,
  withLeakCheck,
  type LeakComparison,
  type LeakSnapshot,
  type LeakTolerance,
  type SnapshotOptions,
} from './leak-checker';
export { runLoad, type LatencySummary, type LoadOptions, type LoadResult } from './load-generator';
export { renderMarkdownTable, type MarkdownTableOptions, type TableCell } from './markdown-table';
export {
  WRONG_SAN,
  createTestPki,
  type BadCredentialKind,
  type CertificateAuthority,
  type TestCredentials,
  type TestPki,
  type TestPkiOptions,
} from './pki/test-pki';
export type { CredentialFiles, PkiFiles } from './pki/write-pki';
export { launchFleet } from './fleet/launch-fleet';
export { NamespaceNetwork, namespaceSupport, type NamespaceSupport } from './fleet/network-namespaces';
export { ChildAgent, type ChildAgentOptions } from './fleet/child-agent';
export type {
  AgentHandle,
  AgentSpec,
  AgentStartConfig,
  ExitInfo,
  Fleet,
  FleetAgent,
  FleetMode,
  FleetOptions,
} from './fleet/types';
export {
  AgentExitedError,
  AgentReadyTimeoutError,
  AgentStartError,
  GcUnavailableError,
  InvalidOptionsError,
  LeakDetectedError,
  NamespaceCommandError,
  NamespacesUnavailableError,
  PkiError,
  ProxyClosedError,
  ProxyListenError,
  UnknownAgentError,
  UnsupportedInModeError,
  type LeakFinding,
} from './errors';
export { QuicPacketFuzzer, type FuzzCounts, type PacketFuzzerOptions } from './quic-fuzz/packet-fuzzer';
export { buildPacket, varint, PACKET_FORMS, type PacketFields, type PacketForm } from './quic-fuzz/packet-forms';
export { sendDatagrams, type DatagramFloodOptions } from './quic-fuzz/datagram-flood';
export { runQuicFuzz, type QuicFuzzOptions, type QuicFuzzReport } from './quic-fuzz/fuzz-run';
