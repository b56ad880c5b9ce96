import { describe, expect, it } from "vitest";
import { analyzeRolloutLines } from "./analyze-lines.js";
import type { NodeId, ReasoningTree } from "./reasoning-tree.js";

/** A tokens-format line with one token per step. */
const line = (steps: number[], reward: number, extra: object = {}) =>
  JSON.stringify({
    prompt_id: "q",
    tokens: steps,
    logprobs: steps.map(() => -0.5),
    step_ends: steps.map((_, i) => i + 1),
    reward,
    ...extra,
  });

async function treeOf(lines: string[], options: object = {}): Promise<ReasoningTree> {
  const trees: ReasoningTree[] = [];
  await analyzeRolloutLines(lines, "f.jsonl", { ...options, onTree: (tree) => trees.push(tree) });
  expect(trees).toHaveLength(1);
  return trees[0] as ReasoningTree;
}

/** [tokens, multiplicity, trajectories] of every node below the root, depth first. */
function shape(tree: ReasoningTree, node: NodeId = tree.root): [number[], number, number][] {
  return tree
    .children(node)
    .flatMap((child) => [
      [Array.from(tree.tokens(child)), tree.multiplicity(child), tree.trajectoryCount(child)] as [
        number[],
        number,
        number,
      ],
      ...shape(tree, child),
    ]);
}

describe("reused_steps", () => {
  // A chain 1 -> 2 (reward 1), then a branch that reuses step 1 and draws 3 (reward 0).
  it("follows reused steps without counting them as draws", async () => {
    const tree = await treeOf([line([1, 2], 1), line([1, 3], 0, { reused_steps: 1 })]);
    expect(shape(tree)).toEqual([
      [[1], 1, 2],
      [[2], 1, 1],
      [[3], 1, 1],
    ]);
  });

  it("is 0 when absent: every step is a draw, as before", async () => {
    const tree = await treeOf([line([1, 2], 1), line([1, 3], 0)]);
    expect(shape(tree)[0]).toEqual([[1], 2, 2]);
  });

  it("may cover every step (a response that ends where it forked)", async () => {
    const tree = await treeOf([line([1, 2], 1), line([1, 2], 0, { reused_steps: 2 })]);
    expect(shape(tree)).toEqual([
      [[1], 1, 2],
      [[2], 1, 2],
    ]);
  });

  it("is read from the text and openai formats too", async () => {
    const text = (response: string, reward: number, extra: object = {}) =>
      JSON.stringify({ prompt_id: "q", response, reward, ...extra });
    const fromText = await treeOf([text("a\nb\n", 1), text("a\nc\n", 0, { reused_steps: 1 })], { format: "text" });
    expect(shape(fromText).map(([, multiplicity]) => multiplicity)).toEqual([1, 1, 1]);
    const openai = (tokens: string[], reward: number, extra: object = {}) =>
      JSON.stringify({
        prompt_id: "q",
        text: tokens.join(""),
        logprobs: { tokens, token_logprobs: tokens.map(() => -0.5) },
        finish_reason: "stop",
        reward,
        ...extra,
      });
    const fromOpenai = await treeOf([openai(["a\n", "b"], 1), openai(["a\n", "c"], 0, { reused_steps: 1 })]);
    expect(shape(fromOpenai).map(([, multiplicity, trajectories]) => [multiplicity, trajectories])).toEqual([
      [1, 2],
      [1, 1],
      [1, 1],
    ]);
  });

  it.each([
    ["a fraction", 0.5, /^f.jsonl:2: reused_steps must be a non-negative integer .*got 0.5/],
    ["a negative count", -1, /^f.jsonl:2: reused_steps must be a non-negative integer .*got -1/],
    ["a string", "1", /^f.jsonl:2: reused_steps must be a non-negative integer .*got "1"/],
    ["more than the steps", 3, /^f.jsonl:2: reused_steps is 3, expected an integer from 0 to the step count 2$/],
  ])("reports %s as file:line", async (_name, reused, message) => {
    await expect(
      analyzeRolloutLines([line([1, 2], 1), line([1, 3], 0, { reused_steps: reused })], "f.jsonl"),
    ).rejects.toThrow(message);
  });

  it("reports a reused prefix that no earlier line of the prompt drew", async () => {
    await expect(analyzeRolloutLines([line([1, 2], 1, { reused_steps: 1 })], "f.jsonl")).rejects.toThrow(
      /^f.jsonl:1: reused_steps is 1 but step 0 is not in the prompt's tree yet/,
    );
    await expect(
      analyzeRolloutLines([line([1, 2], 1), line([1, 4, 5], 0, { reused_steps: 2 })], "f.jsonl"),
    ).rejects.toThrow(/^f.jsonl:2: reused_steps is 2 but step 1 is not in the prompt's tree yet/);
  });
});
