import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RUN_METHODS } from '../../src/run/run-protocol';
import { RunBook } from '../../src/run/run-book';
import { RunCoordinator } from '../../src/run/run-coordinator';
import { startProcessRunFleet } from '../../src/run/run-fleet-processes';
import type { FileExecution, FileTask } from '../../src/run/types';
import { writeSlowProject } from '../support/slow-project';

let work: string;
let project: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'qe-fleet-procs-'));
  project = await writeSlowProject(path.join(work, 'project'), 4, 2_000);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('qe-fleet run with executors as separate processes (QUIC)', () => {
  it('an executor SIGKILLed mid-file: its file is re-dispatched to another and counted once', async () => {
    const fleet = await startProcessRunFleet({ executors: 2, slots: 1, transport: 'quic' });
    try {
      const book = new RunBook();
      for (let i = 0; i < 4; i += 1)
        book.add({ taskId: `f${i}@1`, runner: 'node-test', file: `test/file-0${i}.test.mjs`, attempt: 1 }, 2_000);
      const coordinator = new RunCoordinator({
        link: fleet.coordinator.link,
        executors: fleet.executorIds,
        runId: 'r',
        projectDir: project,
        book,
        maxReruns: 0,
      });
      const booked: Array<[FileTask, FileExecution]> = [];
      coordinator.on('execution', (task, execution) => booked.push([task, execution]));
      // The victim holds a file once the coordinator's assignment to it was accepted.
      let killed: Promise<void> | undefined;
      const request = fleet.coordinator.link.request.bind(fleet.coordinator.link);
      fleet.coordinator.link.request = (async (peer: string, method: string, body: unknown, options?: object) => {
        const answer = await request(peer, method, body, options);
        if (method === RUN_METHODS.assign && peer === 'executor-1' && killed === undefined) {
          // Let it start the runner, then kill the process group mid-file.
          killed = new Promise<void>((resolve) => setTimeout(resolve, 500)).then(() => fleet.kill('executor-1'));
        }
        return answer;
      }) as typeof fleet.coordinator.link.request;
      const pid = fleet.pid?.('executor-1');
      expect(pid).toBeGreaterThan(0);
      const record = await coordinator.run(AbortSignal.timeout(120_000));
      await killed;
      coordinator.close();
      expect(() => process.kill(pid!, 0)).toThrow();
      expect(record.accounting).toMatchObject({ tasks: 4, completedOnce: 4, lost: 0, phantom: 0 });
      expect(record.accounting.unknownOutcome).toBeGreaterThanOrEqual(1);
      expect(booked.map(([t]) => t.taskId).sort()).toEqual(['f0@1', 'f1@1', 'f2@1', 'f3@1']);
      // Everything after the kill ran on the survivor; every file passed there
      // (file 0's flaky test failed on attempt 1).
      expect(booked.every(([, e]) => e.error === undefined)).toBe(true);
      expect(booked.filter(([, e]) => e.executor === 'executor-2').length).toBeGreaterThanOrEqual(3);
    } finally {
      await fleet.close();
    }
  }, 180_000);
});
