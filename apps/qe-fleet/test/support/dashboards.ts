import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LivePrometheus } from './prometheus';

export interface PanelResult {
  readonly dashboard: string;
  readonly panel: string;
  readonly expr: string;
  readonly error?: string;
  readonly nan: boolean;
  readonly empty: boolean;
  /** The panel's description says "Empty until ..." and names the scenario that fills it. */
  readonly documentedEmpty: boolean;
}

/** Evaluates every panel expression of every dashboard ($instance = all, $__rate_interval = 1m). */
export async function evaluateDashboards(prometheus: LivePrometheus, root: string): Promise<PanelResult[]> {
  const dashboards = path.join(root, 'ops/grafana/dashboards');
  const results: PanelResult[] = [];
  for (const file of readdirSync(dashboards).filter((f) => f.endsWith('.json'))) {
    const json = JSON.parse(await readFile(path.join(dashboards, file), 'utf8')) as {
      panels: Array<{ title: string; description?: string; targets: Array<{ expr: string }> }>;
    };
    for (const panel of json.panels) {
      for (const target of panel.targets) {
        const expr = target.expr.replaceAll('$__rate_interval', '1m').replaceAll('$instance', '.*');
        const documentedEmpty = /Empty until /.test(panel.description ?? '');
        try {
          const result = await prometheus.query(expr);
          results.push({
            dashboard: file,
            panel: panel.title,
            expr,
            nan: result.some((r) => Number.isNaN(Number(r.value[1]))),
            empty: result.length === 0,
            documentedEmpty,
          });
        } catch (error) {
          results.push({
            dashboard: file,
            panel: panel.title,
            expr,
            error: String(error),
            nan: false,
            empty: true,
            documentedEmpty,
          });
        }
      }
    }
  }
  return results;
}
