import {
  createSampler,
  fixedLengthSegmenter,
  type Generation,
  type GenerationRequest,
  type RequestFeed,
  sampleBatch,
} from "@ibtpo/tree-sampler";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CACHE_GROWTH_COLUMNS, KeyValueCache } from "../model/key-value-cache.js";
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

  it("keeps a branch as the keys and values it started from and its own positions", async () => {
    // eosToken -1: every row runs to its maxTokens, so every kept sequence's length is known.
    const decoding = policy({ eosToken: -1 });
    const cache = decoding.openPrefixCache();
    const trunk = { prefix: [1, 4, 5], settings: { maxTokens: 8, seed: 60 } };
    const fed: GenerationRequest[] = [trunk];
    const generations: Generation[] = [];
    const sequence = (request: number) => [...Array.from(fed[request]!.prefix), ...generations[request]!.tokens];
    const feed: RequestFeed = (finished) => {
      if (finished.length === 0) return [trunk];
      for (const { request, generation } of finished) generations[request] = generation;
      let next: GenerationRequest[] = [];
      // Two branches from the trunk's sixth token, then a branch of the first from its eighth.
      if (finished.some(({ request }) => request === 0)) {
        next = [61, 62].map((seed) => ({ prefix: sequence(0).slice(0, 6), settings: { maxTokens: 4, seed } }));
      }
      if (finished.some(({ request }) => request === 1)) {
        next = [{ prefix: sequence(1).slice(0, 8), settings: { maxTokens: 3, seed: 63 } }];
      }
      fed.push(...next);
      return next;
    };
    await decoding.decodeContinuously(feed, { prefixCache: cache });
    expect(generations).toHaveLength(4);
    for (const [index, request] of fed.entries()) {
      const [alone] = await policy({ eosToken: -1 }).generate([request]);
      expect(Array.from(generations[index]!.tokens), `request ${index}`).toEqual(Array.from(alone!.tokens));
    }
    expect(cache.counts.hits).toBe(3);
    // Positions held: the trunk's 10, each branch's 4 after the 5 it shares, 3 of the branch's branch.
    const bytesPerPosition = 2 * 2 * 16 * 4;
    expect(cache.heldBytes).toBe((10 + 4 + 4 + 3) * bytesPerPosition);
    cache.dispose();
  });

  it("keeps a finished row's slot while under half the batch is free, a joining row taking it in place", async () => {
    // eosToken -1: every row runs to its maxTokens, so which step each row leaves at is known.
    const decoding = policy({ eosToken: -1 });
    const cache = decoding.openPrefixCache();
    const long = [4, 6, 7, 9].map((token, row) => ({
      prefix: [1, token, 5, 3, 8],
      settings: { maxTokens: 10, seed: 30 + row },
    }));
    const short = { prefix: [1, 4, 5], settings: { maxTokens: 1, seed: 40 } };
    const fed: GenerationRequest[] = [];
    const generations: Generation[] = [];
    const feed: RequestFeed = (finished) => {
      if (fed.length === 0) {
        fed.push(...long, short);
        return [...long, short];
      }
      for (const { request, generation } of finished) generations[request] = generation;
      // The short row leaves after one token and a continuation of it joins (into its slot);
      // that one leaves after three more tokens and nothing replaces it.
      const shortDone = finished.find(({ request }) => request === 4);
      if (shortDone === undefined) return [];
      const continuation = {
        prefix: [...short.prefix, ...shortDone.generation.tokens],
        settings: { maxTokens: 3, seed: 41 },
      };
      fed.push(continuation);
      return [continuation];
    };
    const rebuilds = vi.spyOn(KeyValueCache.prototype, "rearranged");
    await decoding.decodeContinuously(feed, { prefixCache: cache });
    expect(rebuilds).not.toHaveBeenCalled();
    rebuilds.mockRestore();
    expect(generations).toHaveLength(6);
    for (const [index, request] of fed.entries()) {
      const [alone] = await policy({ eosToken: -1 }).generate([request]);
      expect(Array.from(generations[index]!.tokens), `request ${index}`).toEqual(Array.from(alone!.tokens));
    }
    cache.dispose();
  });

  it("slides along the columns once its first ones are unused, instead of growing", async () => {
    // One row at a time, each joining as the last leaves: the cache's early columns fall out of use.
    const decoding = policy({ eosToken: -1 });
    const requests = [4, 6, 7, 9, 5, 8].map((token, index) => ({
      prefix: [1, token],
      settings: { maxTokens: 9, seed: 50 + index },
    }));
    const generations: Generation[] = [];
    let fed = 0;
    const feed: RequestFeed = (finished) => {
      for (const { request, generation } of finished) generations[request] = generation;
      return fed < requests.length ? [requests[fed++]!] : [];
    };
    const slides = vi.spyOn(KeyValueCache.prototype, "dropLeadingColumns");
    const steps = vi.spyOn(KeyValueCache.prototype, "reserveColumns");
    await decoding.decodeContinuously(feed);
    const capacities = steps.mock.contexts.map((cache) => (cache as KeyValueCache).capacity);
    expect(slides).toHaveBeenCalled();
    slides.mockRestore();
    steps.mockRestore();
    // 54 steps in all; a row holds at most 11 columns, and the cache stays within two growths of that.
    expect(capacities.length).toBeGreaterThan(40);
    expect(Math.max(...capacities)).toBeLessThanOrEqual(11 + 2 * CACHE_GROWTH_COLUMNS);
    for (const [index, request] of requests.entries()) {
      const [alone] = await policy({ eosToken: -1 }).generate([request]);
      expect(Array.from(generations[index]!.tokens), `request ${index}`).toEqual(Array.from(alone!.tokens));
    }
  });

  it("prefills a prefix once for the rows that share it, rows next in line included", async () => {
    const requests = [3, 4, 5, 6].map((seed) => ({ prefix: [1, 6, 7, 8], settings: { maxTokens: 3, seed } }));
    let fed = false;
    const generations: Generation[] = [];
    const feed: RequestFeed = (finished) => {
      for (const { request, generation } of finished) generations[request] = generation;
      if (fed) return [];
      fed = true;
      return requests;
    };
    const prefills = vi.spyOn(model, "lastLogits");
    // Two rows run at once: the other two wait, and their prefix is prefilled with the first two's.
    await policy({ maxBatchSize: 2 }).decodeContinuously(feed, {});
    const prefillCalls = prefills.mock.calls.filter(([, , , past]) => past === null);
    prefills.mockRestore();
    expect(prefillCalls).toHaveLength(1);
    expect(prefillCalls[0]![0].shape).toEqual([1, 3]);
    for (const [index, request] of requests.entries()) {
      const [alone] = await policy().generate([request]);
      expect(Array.from(generations[index]!.tokens), `request ${index}`).toEqual(Array.from(alone!.tokens));
    }
  });

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
