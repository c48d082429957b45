/** One exported sample: the series name (with _bucket/_sum/_count for histograms), labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string | number>;
  value: number;
}

interface Readable {
  get(): Promise<{
    name: string;
    values: Array<{ metricName?: string; labels: Record<string, string | number | undefined>; value: number }>;
  }>;
}

/** Every sample a prom-client metric currently exports. */
export async function samplesOf(metric: Readable): Promise<Sample[]> {
  const { name, values } = await metric.get();
  return values.map((v) => ({
    name: v.metricName ?? name,
    labels: Object.fromEntries(Object.entries(v.labels).filter(([, l]) => l !== undefined)) as Record<
      string,
      string | number
    >,
    value: v.value,
  }));
}

/** The value of the sample whose name and labels match exactly, or undefined when there is none. */
export async function valueOf(
  metric: Readable,
  labels: Record<string, string | number>,
  name?: string,
): Promise<number | undefined> {
  const samples = await samplesOf(metric);
  const wanted = JSON.stringify(
    Object.entries(labels)
      .map(([k, v]) => [k, String(v)])
      .sort(),
  );
  const match = samples.find(
    (s) =>
      (name === undefined || s.name === name) &&
      JSON.stringify(
        Object.entries(s.labels)
          .map(([k, v]) => [k, String(v)])
          .sort(),
      ) === wanted,
  );
  return match?.value;
}
