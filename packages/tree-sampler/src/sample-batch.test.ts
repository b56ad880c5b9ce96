import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { continuousPolicy } from "./continuous-policy.test-helper.js";
import { createSampler, type SamplerConfig } from "./create-sampler.js";
import type { GenerationRequest, Policy } from "./policy.js";
import { sampleBatch } from "./sample-batch.js";
import type { SampleOptions } from "./sample-options.js";
import { fixedLengthSegmenter } from "./segmenter.js";
import {
  createReferencePolicy,
  createReferenceTask,
  MarkovPolicy,
  REFERENCE_FIRST_SYMBOL,
  REFERENCE_QUESTION_END,
} from "./testing.js";
import { expectTreeInvariants, treeFingerprint } from "./tree-invariants.test-helper.js";

const policy = createReferencePolicy({ seed: 1 });
const task = createReferenceTask({ prompts: 4, seed: 1 });

/** Prompt i starts with symbol i, so a request's prompt is known from its first token. */
const distinctPrompts = [0, 1, 2, 3].map((i) => [REFERENCE_FIRST_SYMBOL + i, REFERENCE_QUESTION_END]);

/** Wraps a policy and counts the calls and the tokens it generates for each prompt. */
function countingPolicy(inner: Policy) {
  const tokensByPrompt = new Map<number, number>();
  const calls: GenerationRequest[][] = [];
  const wrapped: Policy = {
    name: inner.name,
    eosToken: inner.eosToken,
    stepDelimiter: inner.stepDelimiter,
    providesEntropies: inner.providesEntropies,
    async generate(requests, options) {
      calls.push([...requests]);
      const generations = await inner.generate(requests, options);
      generations.forEach((generation, index) => {
        const promptIndex = (requests[index]?.prefix[0] as number) - REFERENCE_FIRST_SYMBOL;
        tokensByPrompt.set(promptIndex, (tokensByPrompt.get(promptIndex) ?? 0) + generation.tokens.length);
      });
      return generations;
    },
  };
  return { wrapped, tokensByPrompt, calls };
}

const samplerConfig: fc.Arbitrary<SamplerConfig> = fc.oneof(
  fc.record({
    kind: fc.constant("chains" as const),
    responses: fc.integer({ min: 1, max: 12 }),
    perIteration: fc.integer({ min: 1, max: 12 }),
  }),
  fc.record({
    kind: fc.constant("entropy-tree" as const),
    initialChains: fc.integer({ min: 1, max: 3 }),
    forkPoints: fc.integer({ min: 1, max: 3 }),
    rounds: fc.integer({ min: 0, max: 6 }),
    branches: fc.integer({ min: 1, max: 3 }),
  }),
  ...(["ib-tree", "random-tree"] as const).map((kind) =>
    fc.record({
      kind: fc.constant(kind),
      initialChains: fc.integer({ min: 1, max: 3 }),
      rounds: fc.oneof(fc.integer({ min: 0, max: 7 }), fc.constant(Number.POSITIVE_INFINITY)),
      nodesPerRound: fc.integer({ min: 1, max: 3 }),
      branches: fc.integer({ min: 1, max: 3 }),
    }),
  ),
  fc.record({
    kind: fc.constant("ib-tree" as const),
    branchScore: fc.constantFrom("paper" as const, "shannon-optimistic" as const),
    beta: fc.constantFrom(1, 5),
  }),
  fc.record({
    kind: fc.constant("fixed-width-tree" as const),
    initialChains: fc.integer({ min: 1, max: 4 }),
    width: fc.integer({ min: 1, max: 3 }),
    rounds: fc.oneof(fc.integer({ min: 0, max: 7 }), fc.constant(Number.POSITIVE_INFINITY)),
  }),
);

function options(overrides: Partial<SampleOptions> & Pick<SampleOptions, "sampler">): SampleOptions {
  return { budget: 300, maxResponseLength: 48, seed: 5, reward: task.reward, answer: task.answer, ...overrides };
}

describe("sampleBatch budget", () => {
  it("never generates more than B tokens per prompt, and counts exactly what it generated", async () => {
    await fc.assert(
      fc.asyncProperty(
        samplerConfig,
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 64 }),
        fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constant(Number.POSITIVE_INFINITY)),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom("progressive" as const, "geometric" as const),
        fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 8 })),
        fc.boolean(),
        async (config, budget, maxResponseLength, maxDepth, seed, lengthModel, decodeChunk, continuous) => {
          const counter = countingPolicy(createReferencePolicy({ seed, lengthModel }));
          const continuing = continuousPolicy(counter.wrapped);
          const batch = await sampleBatch(distinctPrompts, continuous ? continuing.policy : counter.wrapped, {
            sampler: createSampler(config),
            budget,
            maxResponseLength,
            maxDepth,
            decodeChunk,
            continuousBatching: continuous,
            seed,
            reward: task.reward,
          });
          for (const sample of batch.samples) {
            const generated = counter.tokensByPrompt.get(sample.promptIndex) ?? 0;
            expect(generated).toBeLessThanOrEqual(budget);
            expect(sample.statistics.generatedTokens).toBe(generated);
            expect(sample.trajectories.length).toBeGreaterThanOrEqual(1);
            expectTreeInvariants(sample, maxResponseLength, maxDepth);
          }
          expect(batch.statistics.generateCalls).toBe(continuous ? continuing.additions.length : counter.calls.length);
        },
      ),
      { numRuns: 80, seed: 20261127 },
    );
  }, 60_000);

  it("with budgetCut 'drop', never cuts a response by the budget and stays within it", async () => {
    await fc.assert(
      fc.asyncProperty(
        samplerConfig,
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 1000 }),
        async (config, budget, maxResponseLength, seed) => {
          const counter = countingPolicy(createReferencePolicy({ seed }));
          const batch = await sampleBatch(distinctPrompts, counter.wrapped, {
            sampler: createSampler(config),
            budget,
            maxResponseLength,
            seed,
            reward: task.reward,
            budgetCut: "drop",
          });
          for (const sample of batch.samples) {
            expect(counter.tokensByPrompt.get(sample.promptIndex) ?? 0).toBeLessThanOrEqual(budget);
            for (const trajectory of sample.trajectories) expect(trajectory.truncation).not.toBe("budget");
          }
        },
      ),
      { numRuns: 60, seed: 20261128 },
    );
  });

  it("cuts the last batch by lowering the last requests' maxTokens", async () => {
    const counter = countingPolicy(policy);
    await sampleBatch([distinctPrompts[0] as number[]], counter.wrapped, {
      ...options({ sampler: createSampler({ kind: "chains", responses: 4, perIteration: 4 }) }),
      budget: 100,
      maxResponseLength: 40,
    });
    expect(counter.calls[0]?.map((request) => request.settings.maxTokens)).toEqual([40, 40, 20]);
  });
});

describe("sampleBatch reproducibility", () => {
  const configs: SamplerConfig[] = [
    { kind: "chains", responses: 6, perIteration: 6 },
    { kind: "entropy-tree", initialChains: 2, forkPoints: 2, rounds: 3, branches: 2 },
    { kind: "ib-tree", initialChains: 1, rounds: 5, nodesPerRound: 2, branches: 2 },
    { kind: "random-tree", initialChains: 1, rounds: 5, nodesPerRound: 2, branches: 2 },
    { kind: "ib-tree" },
    { kind: "fixed-width-tree" },
  ];

  it.each(configs)("same seed, same trees ($kind)", async (config) => {
    const run = (seed: number) => sampleBatch(task.prompts, policy, options({ sampler: createSampler(config), seed }));
    const [first, second, other] = await Promise.all([run(5), run(5), run(6)]);
    const fingerprints = (batch: typeof first) => batch.samples.map((sample) => treeFingerprint(sample.tree));
    expect(fingerprints(second)).toEqual(fingerprints(first));
    expect(fingerprints(other)).not.toEqual(fingerprints(first));
    expect(second.statistics).toEqual(first.statistics);
  });

  it.each(configs)("a prompt's tree does not depend on the other prompts in the batch ($kind)", async (config) => {
    const sampler = createSampler(config);
    const a = await sampleBatch([task.prompts[0], task.prompts[1]] as Int32Array[], policy, options({ sampler }));
    const b = await sampleBatch([task.prompts[0], task.prompts[2]] as Int32Array[], policy, options({ sampler }));
    expect(treeFingerprint(b.samples[0]!.tree)).toBe(treeFingerprint(a.samples[0]!.tree));
  });
});

describe("sampleBatch with continuousBatching", () => {
  const configs: SamplerConfig[] = [
    { kind: "chains", responses: 6, perIteration: 3 },
    { kind: "entropy-tree", initialChains: 2, forkPoints: 2, rounds: 3, branches: 2 },
    { kind: "ib-tree" },
    { kind: "random-tree", initialChains: 1, rounds: 5, nodesPerRound: 2, branches: 2 },
    { kind: "fixed-width-tree" },
  ];
  const withoutCalls = ({ generateCalls, ...statistics }: { generateCalls: number }) => statistics;

  it.each(configs)("samples the trees of one call per round ($kind)", async (config) => {
    const sampler = createSampler(config);
    const continuing = continuousPolicy(policy);
    const continuous = await sampleBatch(
      task.prompts,
      continuing.policy,
      options({ sampler, continuousBatching: true }),
    );
    const perRound = await sampleBatch(task.prompts, policy, options({ sampler }));
    expect(continuous.samples.map((sample) => treeFingerprint(sample.tree))).toEqual(
      perRound.samples.map((sample) => treeFingerprint(sample.tree)),
    );
    expect(withoutCalls(continuous.statistics)).toEqual(withoutCalls(perRound.statistics));
    expect(continuous.statistics.generateCalls).toBe(continuing.additions.length);
  });

  it("starts a prompt's next round while other prompts' requests are still generating", async () => {
    const continuing = continuousPolicy(policy);
    const started: number[] = [];
    await sampleBatch(
      task.prompts,
      continuing.policy,
      options({
        sampler: createSampler({ kind: "ib-tree" }),
        continuousBatching: true,
        onIteration: ({ prompts }) => started.push(prompts.length),
      }),
    );
    expect(continuing.additions[0]).toEqual({ requests: 16, inFlight: 0 });
    const later = continuing.additions.slice(1);
    expect(later.length).toBeGreaterThan(4);
    // One prompt's round of one continuation joins the three other prompts' requests in flight.
    expect(later.some((addition) => addition.requests === 1 && addition.inFlight === 3)).toBe(true);
    expect(started.reduce((sum, prompts) => sum + prompts, 0)).toBeGreaterThan(later.length);
  });

  it("calls generate once per round when the policy cannot decode continuously", async () => {
    const counter = countingPolicy(policy);
    const sampler = createSampler({ kind: "ib-tree" });
    const batch = await sampleBatch(task.prompts, counter.wrapped, options({ sampler, continuousBatching: true }));
    const perRound = await sampleBatch(task.prompts, policy, options({ sampler }));
    expect(batch.statistics).toEqual(perRound.statistics);
    expect(counter.calls).toHaveLength(perRound.statistics.generateCalls);
  });

  it("passes the batch's prefix cache and rejects a policy that breaks the feed's contract", async () => {
    const cache = { dispose: vi.fn() };
    let given: unknown;
    const continuing = continuousPolicy(policy).policy;
    const caching: Policy = {
      ...continuing,
      openPrefixCache: () => cache,
      decodeContinuously: (feed, generateOptions) => {
        given = generateOptions?.prefixCache;
        return continuing.decodeContinuously!(feed, generateOptions);
      },
    };
    const sampler = createSampler({ kind: "ib-tree" });
    await sampleBatch(task.prompts, caching, options({ sampler, continuousBatching: true }));
    expect(given).toBe(cache);
    expect(cache.dispose).toHaveBeenCalledOnce();
    const generate: Policy["generate"] = (requests, generateOptions) => policy.generate(requests, generateOptions);
    const quitting: Policy = { ...policy, generate, decodeContinuously: async (feed) => void (await feed([])) };
    await expect(sampleBatch(task.prompts, quitting, options({ sampler, continuousBatching: true }))).rejects.toThrow(
      "returned with 16 requests unfinished",
    );
    const inventing: Policy = {
      ...policy,
      generate,
      decodeContinuously: async (feed) => {
        await feed([]);
        const [generation] = await policy.generate([{ prefix: [1, 2], settings: { maxTokens: 2 } }]);
        await feed([{ request: 99, generation: generation! }]);
      },
    };
    await expect(sampleBatch(task.prompts, inventing, options({ sampler, continuousBatching: true }))).rejects.toThrow(
      "continuous request 99: finished a request that is not in flight",
    );
  });
});

describe("sampleBatch with decodeChunk", () => {
  const chunked = (decodeChunk: number, prompts: readonly Int32Array[] = task.prompts, seed = 5) =>
    sampleBatch(prompts, policy, options({ sampler: createSampler({ kind: "ib-tree" }), seed, decodeChunk }));
  const fingerprints = (batch: Awaited<ReturnType<typeof chunked>>) =>
    batch.samples.map((sample) => treeFingerprint(sample.tree));

  it("gives the unchunked trees when the chunk holds a whole response", async () => {
    expect(fingerprints(await chunked(48))).toEqual(fingerprints(await chunked(Number.POSITIVE_INFINITY)));
  });

  it("is reproducible from the seed and independent of the batch mates", async () => {
    const [first, second, other] = await Promise.all([chunked(4), chunked(4), chunked(4, task.prompts, 6)]);
    expect(fingerprints(second)).toEqual(fingerprints(first));
    expect(fingerprints(other)).not.toEqual(fingerprints(first));
    const pair = await chunked(4, [task.prompts[0], task.prompts[2]] as Int32Array[]);
    expect(treeFingerprint(pair.samples[0]!.tree)).toBe(fingerprints(first)[0]);
    for (const sample of first.samples) expectTreeInvariants(sample, 48, Number.POSITIVE_INFINITY);
  });

  it("opens one prefix cache per batch when the policy offers one, passes it to every call and disposes it", async () => {
    const events: string[] = [];
    const cache = { dispose: () => events.push("dispose") };
    const { wrapped, calls } = countingPolicy(policy);
    const caching: Policy = {
      ...wrapped,
      openPrefixCache: () => {
        events.push("open");
        return cache;
      },
      generate: (requests, generateOptions) => {
        events.push(generateOptions?.prefixCache === cache ? "generate with cache" : "generate without");
        return wrapped.generate(requests, generateOptions);
      },
    };
    const sampler = createSampler({ kind: "ib-tree" });
    const batch = await sampleBatch(task.prompts, caching, options({ sampler }));
    expect(events).toEqual(["open", ...calls.map(() => "generate with cache"), "dispose"]);
    const plain = await sampleBatch(task.prompts, policy, options({ sampler }));
    expect(batch.samples.map((sample) => treeFingerprint(sample.tree))).toEqual(
      plain.samples.map((sample) => treeFingerprint(sample.tree)),
    );
    events.length = 0;
    await sampleBatch(task.prompts, caching, options({ sampler, prefixCache: false }));
    expect(new Set(events)).toEqual(new Set(["generate without"]));
    events.length = 0;
    const failing: Policy = { ...caching, generate: () => Promise.reject(new Error("server down")) };
    await expect(sampleBatch(task.prompts, failing, options({ sampler }))).rejects.toThrow("server down");
    expect(events).toEqual(["open", "dispose"]);
  });

  for (const resumesDraws of [false, true]) {
    it(`sends a long response in chunks, continuing its prefix (${resumesDraws ? "with" : "without"} resumed draws)`, async () => {
      const counter = countingPolicy(policy);
      const batch = await sampleBatch(
        [distinctPrompts[0] as number[]],
        { ...counter.wrapped, resumesDraws },
        {
          ...options({ sampler: createSampler({ kind: "chains", responses: 1, perIteration: 1 }) }),
          decodeChunk: 3,
        },
      );
      const [trajectory] = batch.samples[0]!.trajectories;
      expect(counter.calls).toHaveLength(Math.ceil(trajectory!.tokens.length / 3));
      const firstSeed = counter.calls[0]![0]!.settings.seed;
      for (const [index, [request]] of counter.calls.entries()) {
        expect(Array.from(request!.prefix)).toEqual([
          ...distinctPrompts[0]!,
          ...trajectory!.tokens.slice(0, 3 * index),
        ]);
        expect(request!.settings.maxTokens).toBe(Math.min(3, 48 - 3 * index));
        // Resumed: the request's own seed, past the draws made; else a seed derived per chunk.
        expect(request!.settings.drawOffset).toBe(resumesDraws && index > 0 ? 3 * index : undefined);
        if (index > 0) expect(request!.settings.seed === firstSeed).toBe(resumesDraws);
      }
    });
  }
});

describe("sampleBatch batching", () => {
  it("issues one generate call per iteration, covering every active prompt", async () => {
    const counter = countingPolicy(policy);
    const batch = await sampleBatch(
      distinctPrompts,
      counter.wrapped,
      options({
        sampler: createSampler({ kind: "ib-tree", initialChains: 1, rounds: 4, nodesPerRound: 2, branches: 2 }),
        budget: 2000,
      }),
    );
    expect(counter.calls).toHaveLength(5);
    expect(batch.statistics.generateCalls).toBe(5);
    // Iteration 0: one chain per prompt; then 2 nodes x 2 branches per prompt.
    expect(counter.calls.map((call) => call.length)).toEqual([4, 16, 16, 16, 16]);
    for (const call of counter.calls) {
      expect(new Set(call.map((request) => request.prefix[0])).size).toBe(4);
    }
  });

  it.each(["paper", "shannon-optimistic"] as const)(
    "reports each ib-tree fork at the top-K of its branching score (%s), seen before the call",
    async (branchScore) => {
      const { branchingScores, topScoredNodes } = await import("./branching-score.js");
      const { paperBranchScores } = await import("./paper-branch-score.js");
      let checked = 0;
      await sampleBatch(
        task.prompts,
        policy,
        options({
          sampler: createSampler({ kind: "ib-tree", branchScore, beta: 2, rounds: 5, nodesPerRound: 2, branches: 2 }),
          onIteration: ({ iteration, prompts }) => {
            if (iteration === 0) return;
            for (const { tree, forks } of prompts) {
              const candidates = Array.from({ length: tree.size }, (_, node) => node).filter(
                (node) => tree.endingCount(node) === 0 && tree.pathTokens(node).length < 48,
              );
              const scores =
                branchScore === "paper"
                  ? paperBranchScores(tree, candidates, { beta: 2 })
                  : branchingScores(tree, { beta: 2 });
              expect(forks.map((fork) => fork.node)).toEqual(topScoredNodes(tree, scores, candidates, 2));
              checked++;
            }
          },
        }),
      );
      expect(checked).toBeGreaterThan(10);
    },
  );
});

describe("sampleBatch verification", () => {
  it("gives truncated responses reward 0 without calling the verifier, and flags them", async () => {
    const reward = vi.fn(() => 1);
    const batch = await sampleBatch(
      task.prompts,
      policy,
      options({ sampler: createSampler({ kind: "chains", responses: 8 }), maxResponseLength: 6, reward }),
    );
    const trajectories = batch.samples.flatMap((sample) => sample.trajectories);
    const truncated = trajectories.filter((trajectory) => trajectory.truncated);
    expect(truncated.length).toBeGreaterThan(0);
    for (const trajectory of truncated) {
      expect(trajectory.reward).toBe(0);
      expect(trajectory.truncation).toBe("max-length");
      expect(trajectory.tokens).toHaveLength(6);
    }
    expect(reward).toHaveBeenCalledTimes(trajectories.length - truncated.length);
    expect(batch.statistics.truncatedTrajectories).toBe(truncated.length);
  });

  it("flags responses cut by the budget", async () => {
    const batch = await sampleBatch(
      [task.prompts[0] as Int32Array],
      policy,
      options({ sampler: createSampler({ kind: "chains", responses: 10 }), budget: 7, maxResponseLength: 40 }),
    );
    const [only] = batch.samples[0]!.trajectories;
    expect(batch.samples[0]!.trajectories).toHaveLength(1);
    expect(only?.truncation).toBe("budget");
    expect(only?.tokens).toHaveLength(7);
  });

  it("accepts async rewards and rejects rewards outside [0, 1] with the place named", async () => {
    const sampler = createSampler({ kind: "chains", responses: 2 });
    const batch = await sampleBatch(task.prompts, policy, options({ sampler, reward: async () => 0.5 }));
    expect(batch.statistics.meanReward).toBeGreaterThan(0);
    await expect(sampleBatch(task.prompts, policy, options({ sampler, reward: () => 2 }))).rejects.toThrow(
      /prompt 0, trajectory 0: the reward function returned 2/,
    );
  });
});

describe("sampleBatch segmentation and entropies", () => {
  it("uses the given segmenter, mid-step forks included: every inner step has exactly 4 tokens", async () => {
    const batch = await sampleBatch(
      task.prompts,
      policy,
      options({
        sampler: createSampler({ kind: "entropy-tree", initialChains: 2, forkPoints: 3, rounds: 5, branches: 2 }),
        segmenter: fixedLengthSegmenter(4),
      }),
    );
    let innerSteps = 0;
    for (const { tree } of batch.samples) {
      for (let node = 1; node < tree.size; node++) {
        expect(tree.tokens(node).length).toBeLessThanOrEqual(4);
        if (tree.childCount(node) > 0) {
          expect(tree.tokens(node)).toHaveLength(4);
          innerSteps++;
        }
      }
    }
    expect(innerSteps).toBeGreaterThan(20);
  });

  it("works with a policy that has no entropies: null per-token entropies, surprisal fallback flagged", async () => {
    const withoutEntropies: Policy = {
      name: "no-entropies",
      eosToken: policy.eosToken,
      stepDelimiter: policy.stepDelimiter,
      providesEntropies: false,
      generate: async (requests) =>
        (await policy.generate(requests)).map((generation) => ({ ...generation, entropies: null })),
    };
    const batch = await sampleBatch(
      task.prompts,
      withoutEntropies,
      options({ sampler: createSampler({ kind: "ib-tree", rounds: 3, nodesPerRound: 2, branches: 2 }) }),
    );
    const trajectories = batch.samples.flatMap((sample) => sample.trajectories);
    expect(trajectories.every((trajectory) => trajectory.entropies === null)).toBe(true);
    expect(batch.statistics.ibScore.usedSurprisalFallback).toBe(true);
  });
});

describe("sampleBatch input errors", () => {
  it("needs a segmenter when the policy has no step delimiter", async () => {
    const bare = new MarkovPolicy({ vocabularySize: 2, order: 0, eosToken: 0, probabilities: () => [0.5, 0.5] });
    await expect(
      sampleBatch([[1]], bare, options({ sampler: createSampler({ kind: "chains", responses: 1 }) })),
    ).rejects.toThrow(/option segmenter: policy .* has no stepDelimiter/);
  });

  it("names bad options and prompts", async () => {
    const sampler = createSampler({ kind: "chains", responses: 1 });
    await expect(sampleBatch(task.prompts, policy, options({ sampler, budget: 0 }))).rejects.toThrow(/option budget/);
    await expect(sampleBatch([[1, -2]], policy, options({ sampler }))).rejects.toThrow(/prompt 0/);
  });

  it("rejects a policy that breaks its contract", async () => {
    const lying: Policy = { ...policy, generate: async () => [] };
    await expect(
      sampleBatch(task.prompts, lying, options({ sampler: createSampler({ kind: "chains", responses: 1 }) })),
    ).rejects.toThrow(/0 generations for 4 requests/);
  });
});
