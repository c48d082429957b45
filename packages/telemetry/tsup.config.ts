import { cp } from 'node:fs/promises';
import { defineConfig } from 'tsup';

/**
 * Ships the operations material with the package (dist/ops, exported as `@agentlink/telemetry/ops/*`):
 * the repository's Prometheus rules and their promtool tests, the Grafana dashboards and
 * provisioning, and the alerts' runbooks.
 */
async function copyOps(): Promise<void> {
  await cp('../../ops/prometheus', 'dist/ops/prometheus', { recursive: true });
  await cp('../../ops/grafana', 'dist/ops/grafana', { recursive: true });
  await cp('../../ops/README.md', 'dist/ops/README.md');
  await cp('../../docs/runbooks', 'dist/ops/runbooks', { recursive: true });
}

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  dts: false,
  sourcemap: true,
  clean: true,
  splitting: false,
  onSuccess: copyOps,
});
