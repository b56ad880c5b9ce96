import type { Generation, GenerationRequest, Policy } from "@ibtpo/tree-sampler";
import { describe, expect, it } from "vitest";
import { GenerationBatcher } from "./generation-batcher.js";

/** A policy that answers at once and records each call's rows by their first prefix token. */
function recordingPolicy() {
  const calls: number[][] = [];
  const policy = {
    generate: async (requests: readonly GenerationRequest[]): Promise<Generation[]> => {
      calls.push(requests.map((request) => request.prefix[0] as number));
      return requests.map(() => ({
        tokens: new Int32Array(0),
        logprobs: new Float64Array(0),
        entropies: null,
        finishReason: "length" as const,
      }));
    },
  } as unknown as Policy;
  return { policy, calls };
}

const rows = (tag: number, count: number, maxTokens = 4): GenerationRequest[] =>
  Array.from({ length: count }, () => ({ prefix: Int32Array.of(tag), settings: { maxTokens } }));

describe("GenerationBatcher", () => {
  it("takes one row per client in turn, so a small client waits one call at most", async () => {
    const { policy, calls } = recordingPolicy();
    const batcher = new GenerationBatcher(policy, 4);
    await Promise.all([
      batcher.generate(rows(1, 9), undefined, "big"),
      batcher.generate(rows(2, 2), undefined, "small"),
    ]);
    expect(calls).toEqual([
      [1, 2, 1, 2],
      [1, 1, 1, 1],
      [1, 1, 1],
    ]);
  });

  it("caps the tokens of a call, taking at least one row", async () => {
    const { policy, calls } = recordingPolicy();
    const batcher = new GenerationBatcher(policy, 100, 10);
    await Promise.all([
      batcher.generate(rows(1, 3, 4), undefined, "a"),
      batcher.generate(rows(2, 1, 50), undefined, "b"),
    ]);
    expect(calls).toEqual([[1], [2], [1, 1]]);
  });

  it("drops the queued rows of an aborted request at once", async () => {
    const { policy, calls } = recordingPolicy();
    const batcher = new GenerationBatcher(policy, 2);
    const abort = new AbortController();
    const leaving = batcher.generate(rows(1, 5), abort.signal, "a").catch((error: unknown) => error);
    const staying = batcher.generate(rows(2, 1), undefined, "b");
    expect(batcher.queued).toBe(6);
    abort.abort(new Error("gone"));
    expect(batcher.queued).toBe(1);
    expect(batcher.queuedOf("a")).toBe(0);
    expect(await leaving).toEqual(new Error("gone"));
    await staying;
    expect(calls).toEqual([[2]]);
  });
});
