// The board the check's worker writes and the main thread reads, each through its own view of one
// SharedArrayBuffer, as the two threads hold it.
import { describe, expect, it } from "vitest";
import { ProgressBoard } from "../../src/check/progress-board.js";

describe("ProgressBoard", () => {
  it("shows the reader each call the writer begins, whether it awaits, and when it went idle", () => {
    const writer = new ProgressBoard();
    const reader = new ProgressBoard(writer.buffer);
    expect(reader.read()).toMatchObject({ stage: "idle", awaiting: false });
    const before = Date.now();
    writer.begin(7, "up");
    const up = reader.read();
    expect(up).toMatchObject({ stage: "up", index: 7, awaiting: false });
    expect(up.startedAt).toBeGreaterThanOrEqual(before);
    writer.awaiting();
    expect(reader.read()).toMatchObject({ stage: "up", index: 7, awaiting: true });
    writer.begin(7, "down");
    expect(reader.read()).toMatchObject({ stage: "down", index: 7, awaiting: false });
    writer.idle();
    expect(reader.read()).toMatchObject({ stage: "idle", index: -1, awaiting: false });
  });
});
