import { describe, it, expect } from '@jest/globals';
import { promqlMetricNames } from './support/promql-metric-names';

describe('promqlMetricNames', () => {
  it.each([
    ['quic_connections_active', ['quic_connections_active']],
    ['sum(quic_connections_active{instance=~"$instance", direction="in"})', ['quic_connections_active']],
    [
      'histogram_quantile(0.95, sum by (transport, le) ' +
        '(rate(agentlink_request_duration_seconds_bucket{instance=~"$instance"}[$__rate_interval])))',
      ['agentlink_request_duration_seconds_bucket'],
    ],
    [
      'process_resident_memory_bytes / on (job, instance) group_left agentlink_memory_limit_bytes > 0.8',
      ['process_resident_memory_bytes', 'agentlink_memory_limit_bytes'],
    ],
    ['sum without (method) (rate(a_total[5m] offset 1h)) and ignoring (x) b', ['a_total', 'b']],
    ['min(time() - process_start_time_seconds)', ['process_start_time_seconds']],
    [
      'transport:agentlink_request_duration_seconds:p95{transport="quic"} > bool 1e-3',
      ['transport:agentlink_request_duration_seconds:p95'],
    ],
    ['max_over_time(x[5m:30s]) * 2 + y{a="}"} # comment z', ['x', 'y']],
    ['count(up{job=~"agentlink.*"}) by (job) unless topk(3, ${metric_var})', ['up']],
  ])('%s selects %p', (expr, names) => {
    expect(promqlMetricNames(expr)).toEqual(names);
  });

  it('reports an unknown function as a name, so a typo in a dashboard is caught', () => {
    expect(promqlMetricNames('rat(x[5m])')).toEqual(['rat', 'x']);
  });

  it('throws on unbalanced brackets or strings', () => {
    expect(() => promqlMetricNames('sum(x{a="b")')).toThrow(/unbalanced/);
    expect(() => promqlMetricNames('x{a="b}')).toThrow(/unterminated/);
  });
});
