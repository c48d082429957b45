import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { trainFlakinessModel } from '@agentlink/learning';
import { placeAgents, writeFleetConfigs } from '../../src/fleet/configured-fleet';
import { DEFAULT_FLEET_OPTIONS } from '../../src/fleet/fleet-options';
import type { FleetPlan } from '../../src/fleet/fleet-plan';
import { toDataset } from '../../src/model/learning-predictor';
import { readFlakeFlaggerSuite, resolveDataDir } from '../../src/suite/suite-files';

export interface SavedModelFixture {
  /** Scratch directory of the test file, removed after it. */
  readonly dir: string;
  /** The FlakeFlagger data directory. */
  readonly dataDir: string;
}

/**
 * Registers the set-up of a test file that starts agents from configuration files: a scratch
 * directory with a model saved by @agentlink/learning (which the configured analyser loads
 * instead of training), removed after the file. Read the fixture inside tests.
 */
export function useSavedModel(prefix: string): () => SavedModelFixture {
  let fixture: SavedModelFixture | undefined;
  beforeAll(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), prefix));
    const dataDir = resolveDataDir(undefined, process.cwd());
    const dataset = toDataset(await readFlakeFlaggerSuite(dataDir));
    const trained = await trainFlakinessModel(dataset, { hiddenUnits: [8], maxEpochs: 2, batchSize: 512 });
    await trained.model.save(path.join(dir, 'model'));
    trained.model.dispose();
    fixture = { dir, dataDir };
  });
  afterAll(async () => {
    if (fixture !== undefined) await rm(fixture.dir, { recursive: true, force: true });
  });
  return () => {
    if (fixture === undefined) throw new Error('useSavedModel: read the fixture inside a test');
    return fixture;
  };
}

/** Writes one configuration file per agent of a 60-task fleet (processes placement); id → file. */
export async function writeConfiguredFleet(
  fixture: SavedModelFixture,
  plan: FleetPlan,
  durationS: number,
): Promise<Map<string, string>> {
  const options = { ...DEFAULT_FLEET_OPTIONS, suiteSize: 60, durationS, modelDir: path.join(fixture.dir, 'model') };
  const placement = await placeAgents(plan, 'processes');
  return writeFleetConfigs(path.join(fixture.dir, 'configs'), plan, placement, options, fixture.dataDir);
}

/** The flags `qe-fleet agent --config FILE --json` gives an agent. */
export function configuredAgentFlags(files: ReadonlyMap<string, string>, id: string) {
  return { ...DEFAULT_FLEET_OPTIONS, configPath: files.get(id)!, json: true, timeoutS: 60 };
}
