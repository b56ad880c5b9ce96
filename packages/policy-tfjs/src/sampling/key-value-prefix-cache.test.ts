import {
  createSampler,
  fixedLengthSegmenter,
  type Generation,
  type GenerationRequest,
  sampleBatch,
} from "@ibtpo/tree-sampler";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RowKeyValues } from "../model/key-value-cache.js";
import { TransformerModel } from "../model/transformer-model.js";
import { tinyConfig, useTestBackend } from "../test-backend.test-helper.js";
import { KeyValuePrefixCache } from "./key-value-prefix-cache.js";
import { TfjsPolicy } from "./tfjs-policy.js";

let model: TransformerModel;
beforeAll(async () => {
  await useTestBackend();
  model = TransformerModel.create({ ...tinyConfig, initScale: 0.5 }, { seed: 9 });
});
afterAll(() => model.dispose());

const policy = (options: { prefixCacheBytes?: number } = {}) => new TfjsPolicy(model, { eosToken: 2, ...options });
const first: GenerationRequest[] = [
  { prefix: [1, 4, 5], settings: { maxTokens: 6, seed: 1 } },
  { prefix: [1, 6, 7, 8, 3], settings: { maxTokens: 4, temperature: 0.7, seed: 2 } },
  { prefix: [1, 3], settings: { maxTokens: 7, temperature: 1.5, seed: 4 } },
];

/** Continuations of the first generations (whole and cut short), a branch of a prompt, and a new prompt. */
function followUps(generations: readonly Generation[]): GenerationRequest[] {
  const sequence = (index: number) => [...Array.from(first[index]!.prefix), ...generations[index]!.tokens];
  const settings = { maxTokens: 5, seed: 11 };
  return [
    { prefix: sequence(0), settings },
    { prefix: sequence(2).slice(0, 4), settings: { ...settings, seed: 12 } },
    { prefix: [1, 6, 7], settings: { ...settings, seed: 13 } },
    { prefix: [1, 9, 9, 4], settings: { ...settings, seed: 14 } },
    { prefix: sequence(1), settings: { ...settings, temperature: 0.7, seed: 15 } },
  ];
}

/** Keys and values of one position: 2 layers x (keys + values) x 16 float32 each. */
const bytesPerPosition = 2 * 2 * 16 * 4;

const tokensOf = (generations: readonly Generation[]) => generations.map((g) => Array.from(g.tokens));

describe("KeyValuePrefixCache", () => {
  it("gives the tokens of uncached calls, with log-probs equal up to float rounding, and skips cached prefills", async () => {
    const plain = policy();
    const reference = await plain.generate(first);
    const referenceNext = await plain.generate(followUps(reference));
    const cached = policy();
    const cache = cached.openPrefixCache();
    const generations = await cached.generate(first, { prefixCache: cache });
    expect(tokensOf(generations)).toEqual(tokensOf(reference));
    expect(cache.counts).toEqual({ lookups: 3, hits: 0 });
    expect(cache.size).toBe(3);
    const next = await cached.generate(followUps(generations), { prefixCache: cache });
    // Every follow-up but the new prompt [1, 9, 9, 4] continues a sequence decoded in the first call.
    expect(cache.counts).toEqual({ lookups: 8, hits: 4 });
    expect(tokensOf(next)).toEqual(tokensOf(referenceNext));
    next.forEach((generation, row) => {
      generation.logprobs.forEach((logprob, position) => {
        expect(Math.abs(logprob - referenceNext[row]!.logprobs[position]!)).toBeLessThan(1e-5);
        expect(Math.abs(generation.entropies![position]! - referenceNext[row]!.entropies![position]!)).toBeLessThan(
          1e-5,
        );
      });
    });
    cache.dispose();
  });

  it("keeps one sequence for a sequence and its continuation, and forgets the oldest past its byte limit", async () => {
    const cached = policy();
    const cache = cached.openPrefixCache();
    const [generation] = await cached.generate([first[0]!], { prefixCache: cache });
    const continued = [...Array.from(first[0]!.prefix), ...generation!.tokens];
    await cached.generate([{ prefix: continued, settings: { maxTokens: 3, seed: 5 } }], { prefixCache: cache });
    expect(cache.size).toBe(1);
    expect(cache.heldBytes).toBe(bytesPerPosition * (continued.length + 3 - 1));
    cache.dispose();
    // Room for the longer of two sequences only: the one kept first is forgotten for the second.
    const lengths = (await policy().generate(first.slice(1))).map(
      (g, row) => first[row + 1]!.prefix.length + g.tokens.length - 1,
    );
    const limited = policy({ prefixCacheBytes: bytesPerPosition * Math.max(...lengths) });
    const small = limited.openPrefixCache();
    await limited.generate(first.slice(1), { prefixCache: small });
    expect(small.size).toBe(1);
    expect(small.heldBytes).toBeLessThanOrEqual(bytesPerPosition * Math.max(...lengths));
    small.dispose();
  });

  it("keeps a row that started from the cache as those keys and values and its own positions", async () => {
    // eosToken -1: every row runs to its maxTokens, so every kept sequence's length is known.
    const cached = new TfjsPolicy(model, { eosToken: -1 });
    const cache = cached.openPrefixCache();
    const [trunk] = await cached.generate([{ prefix: [1, 4, 5], settings: { maxTokens: 9, seed: 1 } }], {
      prefixCache: cache,
    });
    const sequence = [1, 4, 5, ...trunk!.tokens];
    const branches = [2, 3].map((seed) => ({ prefix: sequence.slice(0, 7), settings: { maxTokens: 4, seed } }));
    const generations = await cached.generate(branches, { prefixCache: cache });
    expect(cache.counts.hits).toBe(2);
    const [alone] = await new TfjsPolicy(model, { eosToken: -1 }).generate([branches[1]!]);
    expect(tokensOf(generations)[1]).toEqual(Array.from(alone!.tokens));
    // The trunk's 11 positions, then each branch's 4 after the 6 it shares with the trunk.
    expect(cache.heldBytes).toBe((11 + 4 + 4) * bytesPerPosition);
    cache.dispose();
  });

  it("holds a head shared by its branches once, while any kept sequence uses it", () => {
    // Rows of one layer whose arrays hold 5 floats a position (keys and values alike): 40 bytes a
    // position, and room for 8.
    const cache = new KeyValuePrefixCache(model, 8 * 40);
    const row = (length: number, head?: { source: RowKeyValues; length: number }): RowKeyValues => {
      const own = length - (head?.length ?? 0);
      return {
        length,
        keys: [new Float32Array(5 * own)],
        values: [new Float32Array(5 * own)],
        ...(head === undefined ? {} : { head }),
      };
    };
    const trunk = row(3);
    cache.store(Int32Array.of(1, 4, 5, 6), trunk);
    // Two branches from the trunk's second position, and a branch of a branch.
    const left = row(4, { source: trunk, length: 2 });
    cache.store(Int32Array.of(1, 4, 7, 7, 8), left);
    cache.store(Int32Array.of(1, 4, 9, 9, 8), row(4, { source: trunk, length: 2 }));
    expect(cache.heldBytes).toBe((3 + 2 + 2) * 40);
    cache.store(Int32Array.of(1, 4, 7, 3, 3), row(4, { source: left, length: 3 }));
    expect(cache.heldBytes).toBe((3 + 2 + 2 + 1) * 40);
    expect(cache.lookup(Int32Array.of(1, 4, 7, 3, 3))?.head?.source).toBe(left);
    // Past 8 positions the oldest sequences go: the trunk's entry first, whose arrays its branches
    // still use, then the first branch, whose arrays the branch of it still uses, then the second.
    cache.store(Int32Array.of(1, 2, 2), row(2));
    expect(cache.size).toBe(2);
    expect(cache.heldBytes).toBe((3 + 2 + 1 + 2) * 40);
    expect(cache.lookup(Int32Array.of(1, 4, 5))).toBeNull();
    cache.dispose();
  });

  it("empties itself when the weights change, refuses a foreign or disposed cache, and keeps the tensor count flat", async () => {
    const cached = policy();
    const cache = cached.openPrefixCache();
    const before = tf.memory().numTensors;
    const generations = await cached.generate(first, { prefixCache: cache });
    for (let call = 0; call < 5; call++) await cached.generate(followUps(generations), { prefixCache: cache });
    expect(tf.memory().numTensors).toBe(before);
    model.markWeightsChanged();
    await cached.generate([first[0]!], { prefixCache: cache });
    expect(cache.size).toBe(1);
    const other = TransformerModel.create(tinyConfig, { seed: 1 });
    await expect(cached.generate(first, { prefixCache: new KeyValuePrefixCache(other) })).rejects.toThrow(
      /options.prefixCache: the prefix cache belongs to another model/,
    );
    other.dispose();
    await expect(cached.generate(first, { prefixCache: { dispose() {} } })).rejects.toThrow(
      /options.prefixCache: expected a cache from this policy's openPrefixCache/,
    );
    cache.dispose();
    await expect(cached.generate(first, { prefixCache: cache })).rejects.toThrow(/the prefix cache was disposed/);
  });

  it("continues a generation in chunks with the draws one call makes (drawOffset)", async () => {
    const whole = await policy().generate(first);
    const cached = policy();
    const cache = cached.openPrefixCache();
    const pieces = first.map(() => [] as number[]);
    for (let chunk = 0; chunk < 4; chunk++) {
      const requests = first.map((request, row) => ({
        prefix: [...Array.from(request.prefix), ...pieces[row]!],
        settings: { ...request.settings, maxTokens: 2, drawOffset: pieces[row]!.length },
      }));
      const open = requests.flatMap((request, row) => {
        const done = whole[row]!.tokens.length <= pieces[row]!.length;
        return done ? [] : [{ request, row }];
      });
      const generations = await cached.generate(
        open.map(({ request }) => request),
        { prefixCache: cache },
      );
      open.forEach(({ row }, index) => {
        pieces[row]!.push(...generations[index]!.tokens);
      });
    }
    expect(pieces).toEqual(tokensOf(whole));
    expect(cache.counts.hits).toBeGreaterThan(0);
    cache.dispose();
    await expect(policy().generate([{ prefix: [1], settings: { maxTokens: 2, drawOffset: -1 } }])).rejects.toThrow(
      /requests\[0\].settings.drawOffset: must be an integer >= 0/,
    );
  });

  it("gives tree-sampler the same trees with and without it, chunked or not, and the cache is hit", async () => {
    const prompts = [
      [1, 4, 5],
      [1, 6, 3],
      [1, 7, 8, 9],
    ];
    const unchunked: Record<string, number[][]> = {};
    for (const config of [{ kind: "ib-tree" }, { kind: "entropy-tree" }, { kind: "chains" }] as const) {
      for (const decodeChunk of [Number.POSITIVE_INFINITY, 3]) {
        const trajectories = async (prefixCache: boolean) => {
          const cached = policy();
          let hits = 0;
          const opened = cached.openPrefixCache.bind(cached);
          cached.openPrefixCache = () => {
            const cache = opened();
            const dispose = cache.dispose.bind(cache);
            cache.dispose = () => {
              hits = cache.counts.hits;
              dispose();
            };
            return cache;
          };
          const batch = await sampleBatch(prompts, cached, {
            sampler: createSampler(config),
            budget: 40,
            maxResponseLength: 10,
            segmenter: fixedLengthSegmenter(2),
            decodeChunk,
            prefixCache,
            seed: 3,
            reward: (_, tokens) => (tokens.includes(5) ? 1 : 0),
          });
          const responses = batch.samples.flatMap((sample) => sample.trajectories.map((t) => Array.from(t.tokens)));
          return { responses, hits };
        };
        const withCache = await trajectories(true);
        const without = await trajectories(false);
        expect(withCache.responses, `${config.kind}, decodeChunk ${decodeChunk}`).toEqual(without.responses);
        expect(withCache.hits).toBeGreaterThan(0);
        expect(without.hits).toBe(0);
        // The policy resumes draws, so chunks give the trees of one call per request.
        unchunked[config.kind] ??= withCache.responses;
        expect(withCache.responses, `${config.kind}, decodeChunk ${decodeChunk}`).toEqual(unchunked[config.kind]);
      }
    }
  });
});
