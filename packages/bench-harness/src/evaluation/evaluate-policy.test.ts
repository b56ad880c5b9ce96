import { deriveSeedSplitMix32, Mulberry32 } from "@ibtpo/random";
import type { Generation, GenerationRequest, Policy } from "@ibtpo/tree-sampler";
import { describe, expect, it } from "vitest";
import { sampleProblems } from "../splits.js";
import type { Problem } from "../task.js";
import { createGraphPathTask, type GraphPathData } from "../tasks/graph-path.js";
import { type EvaluationProgress, evaluatePolicy } from "./evaluate-policy.js";
import { passAtK } from "./pass-at-k.js";
import { createSymbolCodec } from "./text-codec.js";
import { createTrajectoryPolicy } from "./trajectory-policy.js";

const task = createGraphPathTask({ nodes: 6, minDistance: 2 });
const codec = createSymbolCodec(task.vocabulary);
const data: GraphPathData = { edges: ["ab", "ac", "bd", "cd"], start: "a", goal: "d" };
const problem: Problem<GraphPathData> = { id: "p", prompt: task.renderPrompt(data), answer: "d", data };

/** A policy that replays scripted responses in request order, recording every call. */
function scriptedPolicy(responses: readonly string[], calls: GenerationRequest[][]): Policy {
  let next = 0;
  return {
    name: "scripted",
    eosToken: codec.eosToken,
    providesEntropies: false,
    async generate(requests) {
      calls.push([...requests]);
      return requests.map((request): Generation => {
        const tokens = [...codec.encode(responses[next++ % responses.length] as string), codec.eosToken];
        const kept = Int32Array.from(tokens.slice(0, request.settings.maxTokens));
        return {
          tokens: kept,
          logprobs: new Float64Array(kept.length),
          entropies: null,
          finishReason: kept.length < tokens.length ? "length" : "eos",
        };
      });
    },
  };
}

describe("evaluatePolicy", () => {
  it("computes every figure exactly on scripted responses", async () => {
    const calls: GenerationRequest[][] = [];
    // greedy: "b\nd" (correct); samples: correct, correct, wrong answer "b", malformed "bd".
    const policy = scriptedPolicy(["b\nd", "b\nd", "c\nd", "b", "bd"], calls);
    const { summary, perProblem } = await evaluatePolicy({
      policy,
      codec,
      problems: [problem],
      verifier: task,
      maxTokens: 16,
      samples: 4,
      ks: [1, 2, 4],
    });
    expect(calls.map((batch) => batch.length)).toEqual([1, 4]);
    expect(calls[0]?.[0]?.settings.temperature).toBe(0);
    expect(perProblem[0]?.samples.map((sample) => sample.reward)).toEqual([1, 1, 0, 0]);
    // Each outcome keeps the text the verifier scored, without the end-of-sequence token.
    expect(perProblem[0]?.greedy?.text).toBe("b\nd");
    expect(perProblem[0]?.samples.map((sample) => sample.text)).toEqual(["b\nd", "c\nd", "b", "bd"]);
    expect(summary).toEqual({
      problems: 1,
      samples: 4,
      passAt1Greedy: 1,
      meanAtK: 0.5,
      passAtK: { "1": 0.5, "2": passAtK(4, 2, 2), "4": 1 },
      meanTokens: (4 + 4 + 2 + 3) / 4,
      answerDiversity: 2 / 4,
      wellFormedRate: 4 / 5,
      truncatedRate: 0,
      generatedTokens: 4 + 4 + 4 + 2 + 3,
      sampleIbScore: expect.any(Object),
    });
    // The four samples are four distinct first steps ("b\n", "c\n", "b<eos>", "bd<eos>") with
    // smoothed values 0.75, 0.75, 0.25, 0.25: I = H_b(0.5) - H_b(0.75); H = 0 (log-probs are 0).
    const binary = (p: number) => -p * Math.log(p) - (1 - p) * Math.log(1 - p);
    expect(summary.sampleIbScore).toMatchObject({ prompts: 1, trajectories: 4, effRate: 1, collapsed: 0, H: 0 });
    expect(summary.sampleIbScore?.I).toBeCloseTo(Math.log(2) - binary(0.75), 12);
    // IB-Score in ib-score's default paper form: pi = 1 for every step (log-probs 0), raw values
    // 1, 1, 0, 0 against v(root) = 0.5, so eta1 = 2 - 1.2 twice and -1.2 twice; J = 6 * mean(eta1) = -1.2.
    expect(summary.sampleIbScore?.ibScore).toBeCloseTo(-1.2, 12);
    expect(summary.sampleIbScore).toMatchObject({ estimator: "paper", avgRate: 0.5, confidence: 1 });
    expect(summary.passAtK["2"]).toBeCloseTo(1 - 1 / 6, 12);
  });

  it("gives 0 to a truncated response and counts it", async () => {
    const policy = scriptedPolicy(["b\nd"], []);
    const { summary } = await evaluatePolicy({
      policy,
      codec,
      problems: [problem],
      verifier: task,
      maxTokens: 3,
      samples: 2,
    });
    expect(summary.truncatedRate).toBe(1);
    expect(summary.passAt1Greedy).toBe(0);
    expect(summary.meanAtK).toBe(0);
  });

  it("matches the stand-in policy's trajectories verified one by one, whatever the batch size", async () => {
    const problems = sampleProblems(task, { split: "test", count: 30 });
    const policy = createTrajectoryPolicy(task, problems, codec);
    const progress: EvaluationProgress[] = [];
    const options = { policy, codec, problems, verifier: task, maxTokens: 32, samples: 8, seed: 4 } as const;
    const large = await evaluatePolicy(options);
    const small = await evaluatePolicy({ ...options, batchSize: 7, onProgress: (step) => progress.push(step) });
    expect(small.summary).toEqual(large.summary);
    let expectedPass = 0;
    let expectedMean = 0;
    problems.forEach((item, index) => {
      const rewards = Array.from(
        { length: 8 },
        (_, s) =>
          task.verify(item, task.randomTrajectory(item, new Mulberry32(deriveSeedSplitMix32(4, index * 8 + s)))).reward,
      );
      expectedMean += rewards.reduce((a, b) => a + b, 0) / (8 * problems.length);
      expectedPass += passAtK(8, rewards.filter((reward) => reward === 1).length, 8) / problems.length;
    });
    expect(large.summary.meanAtK).toBeCloseTo(expectedMean, 12);
    expect(large.summary.passAtK["8"]).toBeCloseTo(expectedPass, 12);
    const sampleProgress = progress.filter((step) => step.phase === "samples");
    expect(sampleProgress.map((step) => step.completed)).toEqual([
      0,
      ...Array.from({ length: 35 }, (_, i) => Math.min(240, 7 * (i + 1))),
    ]);
    expect(progress.filter((step) => step.phase === "greedy").at(-1)).toEqual({
      phase: "greedy",
      completed: 30,
      total: 30,
    });
  });

  it("rejects a k larger than the samples", async () => {
    const policy = scriptedPolicy(["b\nd"], []);
    await expect(
      evaluatePolicy({ policy, codec, problems: [problem], verifier: task, maxTokens: 8, samples: 4, ks: [8] }),
    ).rejects.toThrow(/k=8 must be an integer in \[1, samples=4\]/);
  });
});
