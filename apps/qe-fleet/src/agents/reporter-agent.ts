import type { FleetLink } from '../messaging/fleet-link';
import { METHODS, type PredictionAnswer, type PredictRequest } from '../messaging/protocol';
import { buildSummary, type FleetSummary } from '../report/fleet-summary';
import type { RunRecord } from './run-record';

/** What the coordinator submits to the reporter at the end of a run. */
export interface ReportSubmission {
  readonly run: RunRecord;
  readonly agents: number;
  readonly transport: string;
  readonly executors: readonly string[];
  /** The suite: task id, test id, ground truth and features. */
  readonly tests: ReadonlyArray<{
    readonly taskId: string;
    readonly testId: string;
    readonly flaky: boolean;
    readonly features?: Readonly<Record<string, number>>;
  }>;
}

export interface ReporterAgentOptions {
  readonly link: FleetLink;
  readonly analyserId: string;
  /** Deadline of the batch prediction request, in ms. Default 30,000. */
  readonly predictionTimeoutMs?: number;
}

interface ExecutorPing {
  readonly resultRetries?: number;
}

/**
 * Turns a run into the summary: asks the analyser for a prediction on every suite test (across
 * the fleet), asks the executors for their retry counts, and compares predictions with FlakeFlagger.
 */
export class ReporterAgent {
  summary: FleetSummary | undefined;
  readonly #options: ReporterAgentOptions;

  constructor(options: ReporterAgentOptions) {
    this.#options = options;
    options.link.handle(METHODS.ping, () => ({ agentId: options.link.agentId, role: 'reporter' }));
    options.link.handle(METHODS.report, (body) => this.report(body as ReportSubmission));
  }

  /** Builds (and keeps) the summary of one run. */
  async report(submission: ReportSubmission): Promise<FleetSummary> {
    const { link } = this.#options;
    const withFeatures = submission.tests.filter((t) => t.features !== undefined);
    let predictions: PredictionAnswer[] = [];
    if (withFeatures.length > 0) {
      const tests: PredictRequest[] = withFeatures.map((t) => ({ testId: t.testId, features: t.features! }));
      // An analyser that is down (or still training) must not cost the run its summary: the
      // summary then has no predictions (evaluated 0) rather than none at all.
      predictions = await link
        .request<{ predictions: PredictionAnswer[] }>(
          this.#options.analyserId,
          METHODS.predictBatch,
          { tests },
          { timeoutMs: this.#options.predictionTimeoutMs ?? 30_000 },
        )
        .then(
          (answer) => answer.predictions,
          () => [],
        );
    }
    const pings = await Promise.allSettled(
      submission.executors.map((id) => link.request<ExecutorPing>(id, METHODS.ping, {}, { timeoutMs: 1_000 })),
    );
    const resultRetries = pings.reduce(
      (sum, p) => sum + (p.status === 'fulfilled' ? (p.value.resultRetries ?? 0) : 0),
      0,
    );
    this.summary = buildSummary({
      run: submission.run,
      agents: submission.agents,
      transport: submission.transport,
      truth: new Map(submission.tests.filter((t) => t.features !== undefined).map((t) => [t.testId, t.flaky])),
      testOfTask: new Map(submission.tests.map((t) => [t.taskId, t.testId])),
      predictions,
      resultRetries,
    });
    return this.summary;
  }
}
