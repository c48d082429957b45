import { describe, it, expect } from '@jest/globals';
import { AgentlinkError } from '@agentlink/resilience';
import {
  AgentExitedError,
  AgentReadyTimeoutError,
  AgentStartError,
  GcUnavailableError,
  LeakDetectedError,
  NamespaceCommandError,
  NamespacesUnavailableError,
  PkiError,
  ProxyClosedError,
  ProxyListenError,
  UnknownAgentError,
  UnsupportedInModeError,
} from '../../src/index';

describe('typed errors', () => {
  const cause = new Error('root cause');
  const table: [Error, string, boolean, RegExp][] = [
    [new ProxyListenError('127.0.0.1', 9, cause), 'ERR_PROXY_LISTEN', false, /127\.0\.0\.1:9/],
    [new ProxyClosedError('setFaults()'), 'ERR_PROXY_CLOSED', false, /setFaults\(\)/],
    [new GcUnavailableError(), 'ERR_GC_UNAVAILABLE', false, /--expose-gc/],
    [
      new LeakDetectedError([{ resource: 'heap', before: 1, after: 9, allowedGrowth: 2 }]),
      'ERR_LEAK_DETECTED',
      false,
      /heap grew from 1 to 9 \(allowed \+2\)/,
    ],
    [new AgentStartError('a', 'boom', cause), 'ERR_AGENT_START', false, /agent "a" failed to start: boom/],
    [new AgentReadyTimeoutError('a', 5), 'ERR_AGENT_READY_TIMEOUT', true, /within 5 ms/],
    [
      new AgentExitedError('a', { code: null, signal: 'SIGTERM' }),
      'ERR_AGENT_EXITED',
      false,
      /"a" exited \(signal SIGTERM\)/,
    ],
    [new UnknownAgentError('zz'), 'ERR_UNKNOWN_AGENT', false, /"zz"/],
    [
      new UnsupportedInModeError('kill()', 'in-process'),
      'ERR_UNSUPPORTED_IN_MODE',
      false,
      /kill\(\) is not supported in "in-process"/,
    ],
    [new NamespacesUnavailableError('not root'), 'ERR_NAMESPACES_UNAVAILABLE', false, /not root/],
    [
      new NamespaceCommandError(['netns', 'add', 'x'], '', cause),
      'ERR_NAMESPACE_COMMAND',
      false,
      /"ip netns add x" failed: no output/,
    ],
    [new PkiError('failed', cause), 'ERR_TEST_PKI', false, /test PKI: failed/],
  ];

  it.each(table)('%s has its code, name, retryable flag and a helpful message', (err, code, retryable, message) => {
    expect(err).toBeInstanceOf(AgentlinkError);
    expect(err).toMatchObject({ code, retryable, name: err.constructor.name });
    expect(err.message).toMatch(message);
  });
});
