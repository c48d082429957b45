/** A gauge or counter sample of the app's own metrics. */
export interface AppSample {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly value: number;
  readonly labels?: Readonly<Record<string, string>>;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * Renders the app's counters in Prometheus text format. The app may not import prom-client
 * (only telemetry does), so its few task counters are rendered here and appended to /metrics.
 */
export function renderAppMetrics(samples: readonly AppSample[], labels: Readonly<Record<string, string>>): string {
  const byName = new Map<string, AppSample[]>();
  for (const sample of samples) byName.set(sample.name, [...(byName.get(sample.name) ?? []), sample]);
  let text = '';
  for (const [name, group] of byName) {
    text += `# HELP ${name} ${group[0]!.help}\n# TYPE ${name} ${group[0]!.type}\n`;
    for (const sample of group) {
      const all = { ...labels, ...sample.labels };
      const rendered = Object.entries(all).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
      text += `${name}${rendered.length > 0 ? `{${rendered}}` : ''} ${sample.value}\n`;
    }
  }
  return text;
}
