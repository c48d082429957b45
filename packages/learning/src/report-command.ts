import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandOptions } from './cli-commands';
import { readDataFile } from './read-data-file';
import { renderHonestReport } from './report-render';
import { flakeFlaggerFeatureSets, runHonestReport, type HonestReport } from './report-run';

/** What the report says about the model in apps/qe-fleet (kept here so the one command writes it). */
export const QE_FLEET_NOTE =
  'The analyser of `apps/qe-fleet` (`src/model/learning-predictor.ts`) trains at start-up on the\n' +
  `FlakeFlagger tests outside the suite it runs, with the **numeric features only**: a project that
starts using the fleet has no labelled sibling history and its own project was never in the
training data, so "+ project" and "+ sibling history" would not be available to it; the
leave-projects-out row above is the figure that applies to such a project. At this commit it
trains the network family with a small start-up budget. The boosted trees (\`family: 'gbdt'\`)
train in seconds on rows like these (10.7 s on 17,329 rows under load, see BENCHMARKS.md), won the
nested selection in most hold-outs and CV folds of every feature set above (the network alone won
only in leave-projects-out, 4 of 5 folds, where every family is near chance); switching is for the
qe-fleet owners.`;

/** \`report\`: hold-outs, pooled CV and leave-projects-out for the three FlakeFlagger feature sets. */
export async function reportCommand(options: CommandOptions): Promise<unknown> {
  const out = options.out ?? 'docs/learning-report.md';
  if (options.from !== undefined) {
    const saved = JSON.parse(await readFile(options.from, 'utf8')) as HonestReport;
    await writeFile(out, renderHonestReport(saved, { qeFleet: QE_FLEET_NOTE }));
    return { out, from: options.from };
  }
  const csv = await readDataFile(options.data!);
  const seeds = options.holdoutSeeds ?? [1001, 1002, 1003, 1004, 1005];
  const report = await runHonestReport(
    csv,
    {
      sets: flakeFlaggerFeatureSets(options.schema.label),
      holdoutSeeds: seeds,
      cvFolds: options.folds ?? 10,
      cvSeed: 2001,
      lpoFolds: options.groupFolds ?? 5,
      evaluation: {
        ...options.training,
        family: options.family,
        innerFolds: options.innerFolds,
        onInnerFold: undefined,
      },
    },
    {
      command: `agentlink-learn ${options.argv.join(' ')}`,
      dataFile: path.relative(process.cwd(), options.data!),
      log: options.log,
    },
  );
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await writeFile(out, renderHonestReport(report, { qeFleet: QE_FLEET_NOTE }));
  const json = `${out.replace(/\.md$/, '')}.json`;
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  return {
    out,
    json,
    minutes: report.durationMs / 60_000,
    sets: report.sets.map((s) => ({ name: s.name, ...s.holdoutStats })),
  };
}
