import { describe, expect, it } from "vitest";
import { ReasoningTree } from "./reasoning-tree.js";
import { parseRolloutRecord } from "./rollout-record.js";
import { formatRolloutRecord, trajectoryRolloutRecord } from "./rollout-writer.js";

describe("the tokens-format writer", () => {
  const tree = new ReasoningTree({ promptId: "q" });
  const a = tree.addStep(tree.root, { tokens: [5, 6], logprobs: [-0.1, -0.2] });
  const b = tree.addStep(a, { tokens: [7], logprobs: [-0.3] });
  tree.addTrajectory(b, 1);
  const trajectory = {
    leaf: b,
    tokens: Int32Array.of(5, 6, 7),
    logprobs: Float64Array.of(-0.1, -0.2, -0.3),
    entropies: Float64Array.of(0.5, 0.25, 1),
    reward: 1,
    truncated: true,
  };

  it("writes a sampled trajectory with its tree's step ends, and reads back the same record", () => {
    const record = trajectoryRolloutRecord("q", tree, trajectory);
    expect(record.stepEnds).toEqual([2, 3]);
    const line = formatRolloutRecord(record);
    expect(line).toBe(
      '{"prompt_id":"q","tokens":[5,6,7],"logprobs":[-0.1,-0.2,-0.3],"entropies":[0.5,0.25,1],"step_ends":[2,3],"reward":1,"truncated":true}',
    );
    expect(parseRolloutRecord(line, "f:1")).toEqual(record);
    expect(formatRolloutRecord({ ...record, entropies: null })).not.toContain("entropies");
  });

  it("writes reused_steps only when a trajectory reused steps", () => {
    const record = trajectoryRolloutRecord("q", tree, { ...trajectory, reusedSteps: 1 });
    expect(record.reusedSteps).toBe(1);
    const line = formatRolloutRecord(record);
    expect(line).toMatch(/,"truncated":true,"reused_steps":1}$/);
    expect(parseRolloutRecord(line, "f:1")).toEqual(record);
    expect(formatRolloutRecord({ ...record, reusedSteps: 0 })).not.toContain("reused_steps");
  });

  it("rejects a trajectory whose tokens do not match its path, and a record without log-probs", () => {
    expect(() => trajectoryRolloutRecord("q", tree, { ...trajectory, tokens: Int32Array.of(5, 6) })).toThrow(
      "prompt q, trajectory ending at node 2: its steps cover 3 tokens but it has 2",
    );
    const record = trajectoryRolloutRecord("q", tree, trajectory);
    expect(() => formatRolloutRecord({ ...record, logprobs: null })).toThrow(
      "the tokens format needs per-token log-probs",
    );
  });
});
