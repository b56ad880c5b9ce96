import { buildPrefixTree, RolloutLineReader } from "@ibtpo/ib-score";
import { trainingBatchFromTrees } from "@ibtpo/tpo-loss";
import { describe, expect, it } from "vitest";
import { trainConfigSchema } from "../config/train-config.js";
import { resolveAlgorithm } from "../train/resolve-algorithm.js";
import { advantageEstimatorFor } from "./advantage-estimator-choice.js";
import { rolloutAdvantageLines } from "./rollout-advantages.js";
import { stepEndsOf } from "./step-ends.test-helper.js";

interface Response {
  readonly tokens: number[];
  readonly logprobs: number[];
  readonly stepEnds: number[];
  readonly reward: number;
}

/** Groups of responses over a two-token vocabulary, so they share prefixes and branch. */
function responseGroups(seed: number, prompts: number, perPrompt: number): Response[][] {
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: prompts }, () =>
    Array.from({ length: perPrompt }, () => {
      const tokens: number[] = [];
      const stepEnds: number[] = [];
      const steps = 1 + Math.floor(random() * 3);
      for (let step = 0; step < steps; step++) {
        const length = 1 + Math.floor(random() * 2);
        for (let i = 0; i < length; i++) tokens.push(random() < 0.7 ? 1 : 2);
        stepEnds.push(tokens.length);
      }
      const logprobs = tokens.map((token) => (token === 1 ? -0.3 : -1.2));
      return { tokens, logprobs, stepEnds, reward: random() < 0.5 ? 1 : 0 };
    }),
  );
}

const lineOf = (promptId: string, response: Response) =>
  JSON.stringify({
    prompt_id: promptId,
    tokens: response.tokens,
    logprobs: response.logprobs,
    step_ends: response.stepEnds,
    reward: response.reward,
    extra: "kept",
  });

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe("rolloutAdvantageLines", () => {
  it.each([
    ["ib-tpo", { lambda: 0.3 }],
    ["treerl", {}],
    ["grpo", {}],
    ["dr-grpo", {}],
  ] as const)(
    "writes the advantages the trainer's RL step uses for the same trees (%s)",
    async (algorithm, advantage) => {
      const groups = responseGroups(7, 4, 6);
      const lines = groups.flatMap((group, prompt) => group.map((response) => lineOf(`p${prompt}`, response)));
      const written = await collect(
        rolloutAdvantageLines(lines, "test.jsonl", {
          reader: new RolloutLineReader({ format: "tokens" }),
          estimator: advantageEstimatorFor(algorithm, advantage),
        }),
      );

      // The trainer's path: config -> resolveAlgorithm -> trainingBatchFromTrees (as in sampleStep).
      const { preset, estimator } = resolveAlgorithm(trainConfigSchema.parse({ algorithm, advantage }));
      const trees = groups.map((group, prompt) => buildPrefixTree(`p${prompt}`, group));
      const batch = trainingBatchFromTrees(trees, estimator, {
        tokenWeighting: preset.tokenWeighting,
        maskTruncated: preset.maskTruncated,
      });

      expect(written).toHaveLength(lines.length);
      let nonZero = 0;
      written.forEach((line, index) => {
        const record = JSON.parse(line) as Record<string, unknown>;
        const prompt = Math.floor(index / 6);
        const response = groups[prompt]![index % 6]!;
        expect(record.prompt_id).toBe(`p${prompt}`);
        expect(record.extra).toBe("kept");
        const row = batch.sequences.find(
          (sequence) =>
            sequence.promptId === `p${prompt}` &&
            Array.from(sequence.tokens).join() === response.tokens.join() &&
            stepEndsOf(sequence.tokenNodes).join() === response.stepEnds.join() &&
            (algorithm.includes("grpo") ? sequence.reward === response.reward : true),
        );
        expect(row).toBeDefined();
        expect(record.advantages).toEqual(Array.from(row!.advantages));
        expect((record.advantages as number[]).length).toBe(response.tokens.length);
        if ((record.advantages as number[]).some((value) => value !== 0)) nonZero++;
      });
      expect(nonZero).toBeGreaterThan(0);
    },
  );

  it("names the line of a prompt that comes back after another prompt", async () => {
    const [group] = responseGroups(3, 1, 2);
    const lines = [lineOf("a", group![0]!), lineOf("b", group![1]!), lineOf("a", group![1]!)];
    const run = collect(
      rolloutAdvantageLines(lines, "f.jsonl", {
        reader: new RolloutLineReader(),
        estimator: advantageEstimatorFor("grpo"),
      }),
    );
    await expect(run).rejects.toThrow(/^f\.jsonl:3: prompt id "a" appears again/);
  });

  it("replaces an advantages field already on the line", async () => {
    const [group] = responseGroups(5, 1, 2);
    const lines = group!.map((response) => JSON.stringify({ ...JSON.parse(lineOf("a", response)), advantages: [9] }));
    const written = await collect(
      rolloutAdvantageLines(lines, "f.jsonl", {
        reader: new RolloutLineReader(),
        estimator: advantageEstimatorFor("grpo"),
      }),
    );
    written.forEach((line, index) => {
      expect((JSON.parse(line) as { advantages: number[] }).advantages).toHaveLength(group![index]!.tokens.length);
    });
  });

  it("gives TreeRL advantages to text rollouts, which carry no log-probs", async () => {
    const lines = [
      { q: "x", out: "a\nb", score: 1 },
      { q: "x", out: "a\nc", score: 0 },
      { q: "x", out: "d", score: 0 },
    ].map((line) => JSON.stringify(line));
    const written = await collect(
      rolloutAdvantageLines(lines, "t.jsonl", {
        reader: new RolloutLineReader({ format: "text", promptKey: "q", responseKey: "out", rewardKey: "score" }),
        estimator: advantageEstimatorFor("treerl"),
      }),
    );
    const advantages = written.map((line) => (JSON.parse(line) as { advantages: number[] }).advantages);
    expect(advantages.map((list) => list.length)).toEqual([2, 2, 1]);
    // The shared first step "a\n" has one advantage on both lines.
    expect(advantages[0]![0]).toBe(advantages[1]![0]);
    expect(advantages[0]![1]).toBeGreaterThan(advantages[1]![1]!);
  });
});
