import { describe, expect, it } from "vitest";
import { buildPrefixTree } from "./prefix-tree.js";

const base = { tokens: [1, 2, 3], logprobs: [-1, -1, -1], stepEnds: [2, 3], reward: 1 };

describe("buildPrefixTree", () => {
  it("merges equal step prefixes; multiplicity equals trajectories for i.i.d. groups", () => {
    const tree = buildPrefixTree("q", [base, { ...base, tokens: [1, 2, 4], reward: 0 }, base]);
    expect(tree.size).toBe(4);
    for (let node = 1; node < tree.size; node++) expect(tree.multiplicity(node)).toBe(tree.trajectoryCount(node));
    expect(tree.trajectories).toBe(3);
    expect(tree.childCount(1)).toBe(2);
  });

  it.each([
    ["empty step_ends", { stepEnds: [] }, /step_ends is empty/],
    ["a zero-length step", { stepEnds: [2, 2, 3] }, /step_ends\[1\] is 2/],
    ["decreasing step ends", { stepEnds: [3, 2] }, /step_ends\[1\] is 2/],
    ["a last step end short of the tokens", { stepEnds: [1, 2] }, /last step end is 2, expected the token count 3/],
    ["no tokens", { tokens: [], logprobs: [], stepEnds: [1] }, /at least one token/],
    ["mismatched logprobs", { logprobs: [-1] }, /logprobs has length 1, tokens has length 3/],
    ["mismatched entropies", { entropies: [1] }, /entropies has length 1/],
    ["a reward above 1", { reward: 2 }, /reward must be a number in \[0, 1\]/],
    ["a positive logprob", { logprobs: [-1, 0.5, -1] }, /response 1, step 0: logprob 1 is 0.5/],
  ])("rejects %s and names the response", (_name, change, message) => {
    const bad = { ...base, ...change };
    expect(() => buildPrefixTree("q", [base, bad])).toThrow(message);
    expect(() => buildPrefixTree("q", [base, bad])).toThrow(/^response 1(, step \d+)?: /);
  });
});
