// A client calling a peer that fails often: one deadline for the whole call, retries with
// capped full-jitter backoff inside it, and a breaker per peer that stops hammering it.
// Run: npx tsx packages/resilience/examples/unreliable-peer.ts
import {
  BreakerGroup,
  classifyError,
  deadlinePolicy,
  exponentialBackoff,
  retryPolicy,
  wrap,
} from '@agentlink/resilience';

let served = 0;
// Fails with a temporary network error two times out of three.
async function callPeer(signal: AbortSignal): Promise<string> {
  if (signal.aborted) throw signal.reason;
  served++;
  if (served % 3 !== 0) throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
  return `answer #${served}`;
}

const breakers = new BreakerGroup({ volumeThreshold: 10, errorThresholdPercentage: 80, resetTimeoutMs: 1_000 });
breakers.on('stateChange', ({ key, from, to }) => console.log(`breaker ${key}: ${from} -> ${to}`));

const policy = wrap(
  deadlinePolicy(2_000),
  retryPolicy({
    maxAttempts: 5,
    backoff: exponentialBackoff({ initialDelayMs: 10, maxDelayMs: 200, jitter: 'full' }),
    onAttempt: (r) =>
      console.log(
        `  attempt ${r.attempt} failed (${r.classification.reason}), next in ${r.nextDelayMs?.toFixed(1) ?? '-'} ms`,
      ),
  }),
  breakers.get('executor-1'),
);

for (let call = 1; call <= 3; call++) {
  try {
    console.log(`call ${call}: ${await policy.execute(callPeer)}`);
  } catch (error) {
    console.log(`call ${call} failed: ${(error as Error).message} (${classifyError(error).reason})`);
  }
}
breakers.close();
