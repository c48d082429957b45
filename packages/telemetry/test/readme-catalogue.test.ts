import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from '@jest/globals';
import { createTelemetryMetrics } from '../src/index';
import { PACKAGE_DIR } from './support/paths';
import { CATALOGUE } from './support/catalogue';

const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8');

/** Rows of the README's "Metric catalogue" table: name -> [type, labels]. */
function documentedCatalogue(): Record<string, [string, string[]]> {
  const section = readme.slice(readme.indexOf('## Metric catalogue'), readme.indexOf('## Errors'));
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return Object.fromEntries(
    rows.map((row) => {
      const [name, type, labels] = row.split('|').slice(1, 4).map((cell) => cell.trim());
      return [name.replaceAll('`', ''), [type, [...labels.matchAll(/`([a-z_]+)`/g)].map((m) => m[1])]];
    }),
  );
}

describe('README', () => {
  it('documents exactly the metrics the registry exposes, with their types and labels', async () => {
    const documented = documentedCatalogue();
    expect(documented).toEqual(CATALOGUE);
    const registered = (
      await createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1 }).registry.getMetricsAsJSON()
    ).map((m) => m.name);
    expect(Object.keys(documented).sort()).toEqual(registered.sort());
  });

  it('documents every error code', () => {
    for (const code of ['ERR_INVALID_OPTIONS', 'ERR_METRICS_ALREADY_REGISTERED', 'ERR_METRICS_SERVER_LISTEN']) {
      expect(readme).toContain(`\`${code}\``);
    }
  });
});
