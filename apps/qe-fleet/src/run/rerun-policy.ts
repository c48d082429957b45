import type { FileExecution, FileTask } from './types';

/** Name of the pseudo-case that stands for a whole file whose runner crashed or wrote bad XML. */
export const FILE_CASE = '(file)';

/** Test id of a case: the file and the runner's name of the case. */
export function testId(file: string, name: string): string {
  return `${file} > ${name}`;
}

/**
 * The reruns a booked execution calls for: every failed case of a file run (or the whole file
 * when it crashed) is run again, alone, up to `maxReruns` times, until it passes once.
 */
export function rerunsAfter(task: FileTask, execution: FileExecution, maxReruns: number): FileTask[] {
  if (task.attempt > maxReruns) return [];
  const next = task.attempt + 1;
  if (execution.error !== undefined) {
    return [
      {
        taskId: `${task.taskId.slice(0, task.taskId.lastIndexOf('@'))}@${next}`,
        runner: task.runner,
        file: task.file,
        testName: task.testName,
        attempt: next,
        ...(task.serial === true ? { serial: true } : {}),
      },
    ];
  }
  const failed = execution.cases.filter((c) => c.outcome === 'failed').map((c) => c.name);
  // A rerun whose case vanished (renamed, filtered out) failed to reproduce a pass: retry it.
  if (task.testName !== undefined && !execution.cases.some((c) => c.name === task.testName))
    failed.push(task.testName);
  return [...new Set(failed)].map((name) => ({
    taskId: `${task.file}::${name}@${next}`,
    runner: task.runner,
    file: task.file,
    testName: name,
    attempt: next,
    // A timing-bound file's rerun needs the machine to itself as much as its first run did.
    ...(task.serial === true ? { serial: true } : {}),
  }));
}
