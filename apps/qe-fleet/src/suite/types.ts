/** One test of the replayed suite, with its recorded history from FlakeFlagger. */
export interface SuiteTest {
  /** Fully qualified test name as FlakeFlagger spells it (lower case, class.method). */
  readonly id: string;
  /** Project the test belongs to (from test_results.csv), or 'unknown'. */
  readonly project: string;
  /** Ground truth: FlakeFlagger's flaky label. */
  readonly flaky: boolean;
  /** Share of its recorded reruns that failed, 0..1 (NumFailingRuns / all runs). */
  readonly failRate: number;
  /** Recorded execution time in ms. */
  readonly recordedMs: number;
  /** Feature values by FlakeFlagger column name, as the flakiness model reads them. */
  readonly features: Readonly<Record<string, number>>;
}

/** A test of a command-mode suite: one real command per task (e.g. one jest file). */
export interface CommandTest {
  readonly id: string;
  /** argv of the command; argv[0] is the executable. */
  readonly command: readonly string[];
  /** Working directory. */
  readonly cwd: string;
}
