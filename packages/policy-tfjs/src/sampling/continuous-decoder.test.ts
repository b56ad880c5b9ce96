import {
  createSampler,
  fixedLengthSegmenter,
  type Generation,
  type GenerationRequest,
  type RequestFeed,
  sampleBatch,
} from "@ibtpo/tree-sampler";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransformerModel } from "../model/transformer-model.js";
import { tinyConfig, useTestBackend } from "../test-backend.test-helper.js";
import { TfjsPolicy, type TfjsPolicyOptions } from "./tfjs-policy.js";

let model: TransformerModel;
beforeAll(async () => {
  await useTestBackend();
  model = TransformerModel.create({ ...tinyConfig, initScale: 0.5 }, { seed: 9 });
  // The model prepares some tensors on first use; tensor counts below are taken after that.
  await new TfjsPolicy(model, { eosToken: 2 }).generate(opening);
});
afterAll(() => model.dispose());

const policy = (options: Partial<TfjsPolicyOptions> = {}) => new TfjsPolicy(model, { eosToken: 2, ...options });
const opening: GenerationRequest[] = [
  { prefix: [1, 4, 5], settings: { maxTokens: 6, seed: 1 } },
  { prefix: [1, 6, 7, 8, 3, 9, 9, 4], settings: { maxTokens: 9, temperature: 0.7, seed: 2 } },
  { prefix: [1], settings: { maxTokens: 7, temperature: 1.5, seed: 4 } },
];

/**
 * A feed that starts with two requests and answers each finished one with a continuation of it
 * (its prefix and tokens, a new seed) until five continuations were fed; the third opening
 * request joins when the first finishes. Returns every request fed and its generation, in order.
 */
function continuingFeed(): { feed: RequestFeed; fed: GenerationRequest[]; generations: Generation[] } {
  const fed: GenerationRequest[] = [];
  const generations: Generation[] = [];
  let continuations = 0;
  let thirdFed = false;
  const feed: RequestFeed = (finished) => {
    if (fed.length === 0) {
      fed.push(opening[0]!, opening[1]!);
      return opening.slice(0, 2);
    }
    const next: GenerationRequest[] = [];
    for (const { request, generation } of finished) {
      generations[request] = generation;
      if (!thirdFed) next.push(opening[2]!);
      thirdFed = true;
      if (continuations < 5) {
        const prefix = [...Array.from(fed[request]!.prefix), ...generation.tokens].slice(0, 14);
        next.push({ prefix, settings: { maxTokens: 4, seed: 20 + continuations++ } });
      }
    }
    fed.push(...next);
    return next;
  };
  return { feed, fed, generations };
}

describe("TfjsPolicy.decodeContinuously", () => {
  for (const setting of ["prefix cache", "no prefix cache", "kvCache false", "maxBatchSize 2"] as const) {
    it(`gives each request the tokens generate gives it alone, requests joining while others run (${setting})`, async () => {
      const decoding = policy({
        ...(setting === "kvCache false" ? { kvCache: false } : {}),
        ...(setting === "maxBatchSize 2" ? { maxBatchSize: 2 } : {}),
      });
      const cache = setting === "no prefix cache" ? undefined : decoding.openPrefixCache();
      const before = tf.memory().numTensors;
      const { feed, fed, generations } = continuingFeed();
      await decoding.decodeContinuously(feed, cache === undefined ? {} : { prefixCache: cache });
      expect(tf.memory().numTensors).toBe(before);
      expect(fed).toHaveLength(8);
      expect(generations).toHaveLength(8);
      for (const [index, request] of fed.entries()) {
        const [alone] = await policy().generate([request]);
        expect(Array.from(generations[index]!.tokens), `request ${index}`).toEqual(Array.from(alone!.tokens));
        expect(generations[index]!.finishReason).toBe(alone!.finishReason);
        generations[index]!.logprobs.forEach((logprob, position) => {
          expect(Math.abs(logprob - alone!.logprobs[position]!)).toBeLessThan(1e-5);
        });
      }
      // Continuations start from the keys and values their finished request left in the cache.
      if (setting === "prefix cache") expect(cache!.counts.hits).toBeGreaterThanOrEqual(5);
      cache?.dispose();
    });
  }

  it("gives tree-sampler the trees of one call per round, and stops on abort without leaking tensors", async () => {
    const prompts = [
      [1, 4, 5],
      [1, 6, 3],
      [1, 7, 8, 9],
    ];
    const options = (config: { kind: "ib-tree" | "entropy-tree" | "chains" }, continuousBatching: boolean) => ({
      sampler: createSampler(config),
      budget: 40,
      maxResponseLength: 10,
      segmenter: fixedLengthSegmenter(2),
      continuousBatching,
      seed: 3,
      reward: (_: number, tokens: Int32Array) => (tokens.includes(5) ? 1 : 0),
    });
    const responses = (batch: Awaited<ReturnType<typeof sampleBatch>>) =>
      batch.samples.flatMap((sample) => sample.trajectories.map((trajectory) => Array.from(trajectory.tokens)));
    for (const config of [{ kind: "ib-tree" }, { kind: "entropy-tree" }, { kind: "chains" }] as const) {
      const before = tf.memory().numTensors;
      const continuous = await sampleBatch(prompts, policy({ maxBatchSize: 4 }), options(config, true));
      const perRound = await sampleBatch(prompts, policy(), options(config, false));
      expect(responses(continuous), config.kind).toEqual(responses(perRound));
      expect(tf.memory().numTensors).toBe(before);
    }
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let feeds = 0;
    const aborting: RequestFeed = () => {
      if (++feeds === 2) controller.abort(new Error("stopped by the test"));
      return feeds <= 2 ? [{ prefix: [1, 4, 5], settings: { maxTokens: 3, seed: feeds } }] : [];
    };
    await expect(policy().decodeContinuously(aborting, { signal: controller.signal })).rejects.toThrow(
      "stopped by the test",
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
