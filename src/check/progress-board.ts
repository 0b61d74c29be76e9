/**
 * ProgressBoard: what the check's worker is running right now, on shared memory, so that the main
 * thread can see a callback that blocks the worker's thread (a synchronous loop), which no message
 * and no timer inside the worker could report. The worker writes, the main thread reads; a
 * sequence number (odd while a write is in progress) makes a read see one whole entry.
 *
 * | stage | the worker is                                     | awaiting                       |
 * |-------|---------------------------------------------------|--------------------------------|
 * | idle  | between batches                                   | —                              |
 * | init  | in the old code's init for task `index`           | init returned a promise        |
 * | up    | in the new code's codeChange(fromVsn, …)          | it returned a promise          |
 * | down  | in the new code's codeChange({ down: fromVsn }, …)| it returned a promise          |
 */

export type Stage = "idle" | "init" | "up" | "down";
const STAGES: readonly Stage[] = ["idle", "init", "up", "down"];
const STAGE_CODE: Record<Stage, number> = { idle: 0, init: 1, up: 2, down: 3 };

/** One whole entry of the board. */
export interface Progress {
  stage: Stage;
  /** The task's index in its batch (-1 when idle). */
  index: number;
  /** The callback returned a promise and the worker waits for it. */
  awaiting: boolean;
  /** When the callback was called (Date.now()). */
  startedAt: number;
}

const SEQ = 0;
const STAGE = 1;
const INDEX = 2;
const AWAITING = 3;

export class ProgressBoard {
  readonly buffer: SharedArrayBuffer;
  private readonly ints: Int32Array;
  private readonly time: Float64Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(24)) {
    this.buffer = buffer;
    this.ints = new Int32Array(buffer, 0, 4);
    this.time = new Float64Array(buffer, 16, 1);
  }

  /** Worker: a callback of task `index` is about to be called. */
  begin(index: number, stage: Stage): void {
    this.write(() => {
      this.ints[STAGE] = STAGE_CODE[stage];
      this.ints[INDEX] = index;
      this.ints[AWAITING] = 0;
      this.time[0] = Date.now();
    });
  }

  /** Worker: the callback returned a promise. */
  awaiting(): void {
    this.write(() => (this.ints[AWAITING] = 1));
  }

  /** Worker: the batch is done. */
  idle(): void {
    this.write(() => {
      this.ints[STAGE] = 0;
      this.ints[INDEX] = -1;
      this.ints[AWAITING] = 0;
    });
  }

  /** Main thread: the current entry (a worker is never terminated mid-write, so the retries end). */
  read(): Progress {
    let progress: Progress;
    let tries = 0;
    do {
      const seq = Atomics.load(this.ints, SEQ);
      progress = {
        stage: STAGES[Atomics.load(this.ints, STAGE)] ?? "idle",
        index: Atomics.load(this.ints, INDEX),
        awaiting: Atomics.load(this.ints, AWAITING) === 1,
        startedAt: this.time[0]!,
      };
      if (seq % 2 === 0 && Atomics.load(this.ints, SEQ) === seq) return progress;
    } while (++tries < 1000);
    return progress;
  }

  private write(fields: () => void): void {
    Atomics.add(this.ints, SEQ, 1);
    fields();
    Atomics.add(this.ints, SEQ, 1);
  }
}
