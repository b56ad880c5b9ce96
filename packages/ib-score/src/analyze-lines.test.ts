import { describe, expect, it } from "vitest";
import { analysisToJson, analyzeRolloutLines } from "./analyze-lines.js";

const line = (promptId: string, tokens: number[], reward: number, extra: object = {}) =>
  JSON.stringify({
    prompt_id: promptId,
    tokens,
    logprobs: tokens.map(() => -0.5),
    step_ends: [tokens.length],
    reward,
    ...extra,
  });

describe("analyzeRolloutLines", () => {
  it("groups responses by prompt and reports the fields of the JSON output", async () => {
    const analysis = await analyzeRolloutLines(
      [line("a", [1], 1, { entropies: [0.25] }), line("a", [2], 0, { entropies: [0.75] }), "", line("b", [1], 1)],
      "mem",
      { estimator: "shannon", alpha: 0 },
    );
    // Paper parts at the root of "a": v = 0.5, r = 2 and 0, eta1 = 0 and -2 (beta 1), eta2 = e^-0.5 for both.
    const pi = Math.exp(-0.5);
    const json = analysisToJson(analysis) as { summary: Record<string, unknown>; prompts: Record<string, unknown>[] };
    expect(json.summary).toEqual({
      prompts: 2,
      trajectories: 3,
      eff_rate: 0.5,
      collapsed: 1,
      ib_score: 0.5 + Math.LN2,
      H: 0.5,
      I: Math.LN2,
      surprisal_fallback: true,
      missing_logprobs: false,
      format: "tokens",
      estimator: "shannon",
      avg_rate: 2 / 3,
      cov: 0,
      confidence: pi,
    });
    expect(json.prompts[0]).toEqual({
      prompt_id: "a",
      trajectories: 2,
      nodes: 2,
      branching_nodes: 1,
      ib_score: 0.5 + Math.LN2,
      H: 0.5,
      I: Math.LN2,
      cov: 0,
      confidence: pi,
      root: { ib_score: 0.5 + Math.LN2, H: 0.5, I: Math.LN2, cov: 0, confidence: pi },
      effective: true,
      scored_nodes: 1,
      avg_rate: 0.5,
    });
    expect(json.prompts[1]).toMatchObject({
      prompt_id: "b",
      ib_score: null,
      H: null,
      I: null,
      cov: null,
      confidence: null,
      effective: false,
      avg_rate: 1,
    });
    const paper = analysisToJson(await analyzeRolloutLines([line("a", [1], 1), line("a", [2], 0)], "mem")) as {
      summary: Record<string, unknown>;
    };
    // beta 5: eta1 = 2 - 1.2 and 0 - 1.2, J = 6 * mean(eta1) * e^-0.5 = 6 * -0.2 * e^-0.5.
    expect(paper.summary.ib_score).toBeCloseTo(6 * -0.2 * pi, 14);
    expect(paper.summary.estimator).toBe("paper");
  });

  it.each([
    ["not JSON", "{oops", /^f.jsonl:2: invalid JSON/],
    ["an array", "[1]", /^f.jsonl:2: expected a JSON object/],
    [
      "a missing prompt_id",
      JSON.stringify({ tokens: [1], logprobs: [-1], step_ends: [1], reward: 1 }),
      /^f.jsonl:2: prompt_id must be a string/,
    ],
    ["a reward out of range", line("a", [1], 1.5), /^f.jsonl:2: reward must be a number in \[0, 1\], got 1.5/],
    [
      "a string token",
      JSON.stringify({ prompt_id: "a", tokens: ["x"], logprobs: [-1], step_ends: [1], reward: 1 }),
      /^f.jsonl:2: tokens\[0\] must be a number/,
    ],
    [
      "a positive logprob",
      JSON.stringify({ prompt_id: "a", tokens: [1], logprobs: [2], step_ends: [1], reward: 1 }),
      /^f.jsonl:2, step 0: logprob 0 is 2/,
    ],
    [
      "bad step_ends",
      JSON.stringify({ prompt_id: "a", tokens: [1, 2], logprobs: [-1, -1], step_ends: [1], reward: 1 }),
      /^f.jsonl:2: the last step end is 1/,
    ],
    ["a bad truncated flag", line("a", [1], 1, { truncated: "yes" }), /^f.jsonl:2: truncated must be a boolean/],
  ])("reports %s as file:line", async (_name, bad, message) => {
    await expect(analyzeRolloutLines([line("a", [1], 1), bad], "f.jsonl")).rejects.toThrow(message);
  });

  it("rejects a prompt that reappears after others unless unsorted is set", async () => {
    const lines = [line("a", [1], 1), line("b", [1], 1), line("a", [2], 0)];
    await expect(analyzeRolloutLines(lines, "f.jsonl")).rejects.toThrow(/^f.jsonl:3: prompt_id "a" appears again/);
    const analysis = await analyzeRolloutLines(lines, "f.jsonl", { unsorted: true });
    expect(analysis.prompts.map((p) => [p.prompt_id, p.trajectories])).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
  });
});
