import type { GenerationRequest } from "@ibtpo/tree-sampler";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TransformerModel } from "../model/transformer-model.js";
import { tinyConfig, useTestBackend } from "../test-backend.test-helper.js";
import { responseLogProbs } from "../training/response-log-probs.js";
import { TfjsPolicy } from "./tfjs-policy.js";

let model: TransformerModel;
beforeAll(async () => {
  await useTestBackend();
  // A larger init scale gives peaked, varied distributions, so the checks below are not on near-uniform noise.
  model = TransformerModel.create({ ...tinyConfig, initScale: 0.5 }, { seed: 9 });
});
afterAll(() => model.dispose());

const requests: GenerationRequest[] = [
  { prefix: [1, 4, 5], settings: { maxTokens: 9, seed: 1 } },
  { prefix: [1, 6, 7, 8, 9, 10, 3], settings: { maxTokens: 6, temperature: 0.7, seed: 2 } },
  { prefix: [1], settings: { maxTokens: 12, topK: 3, topP: 0.9, seed: 3 } },
  { prefix: [1, 3], settings: { maxTokens: 8, temperature: 1.5, seed: 4 } },
];

function fullForward(request: GenerationRequest, tokens: Int32Array) {
  return tf.tidy(() => {
    const result = responseLogProbs(
      model,
      [{ tokens: [...Array.from(request.prefix), ...tokens], promptLength: request.prefix.length }],
      { temperature: request.settings.temperature ?? 1 },
    );
    return { logprobs: result.logprobs.arraySync()[0]!, entropies: result.entropies.arraySync()[0]! };
  });
}

describe("TfjsPolicy", () => {
  const policy = () => new TfjsPolicy(model, { eosToken: 2, stepDelimiter: 10 });

  it("returns KV-cache log-probs and entropies equal to a full forward of the same sequence", async () => {
    const generations = await policy().generate(requests);
    let compared = 0;
    generations.forEach((generation, index) => {
      const request = requests[index]!;
      expect(generation.tokens.length).toBeGreaterThan(0);
      const reference = fullForward(request, generation.tokens);
      generation.tokens.forEach((_, position) => {
        expect(Math.abs(generation.logprobs[position]! - reference.logprobs[position]!)).toBeLessThan(1e-4);
        expect(Math.abs(generation.entropies![position]! - reference.entropies[position]!)).toBeLessThan(1e-4);
        compared++;
      });
    });
    expect(compared).toBeGreaterThan(8);
  });

  it("encodes a prefix that rows share once, in the prefill and with a prefix cache, drawing what each row draws alone", async () => {
    const shared = [1, 6, 7, 8, 9];
    const batch: GenerationRequest[] = [
      ...[5, 6, 7].map((seed) => ({ prefix: shared, settings: { maxTokens: 5, seed } })),
      { prefix: [1, 4], settings: { maxTokens: 5, seed: 8 } },
    ];
    const decoding = policy();
    const cache = decoding.openPrefixCache();
    // The prefix cache keeps this call's sequence, which starts with [1, 4]: a later [1, 4] is found there.
    await decoding.generate([{ prefix: [1, 4, 5, 5], settings: { maxTokens: 2, seed: 1 } }], { prefixCache: cache });
    for (const prefixCache of [undefined, cache]) {
      const prefills = vi.spyOn(model, "lastLogits");
      const generations = await decoding.generate(batch, prefixCache === undefined ? {} : { prefixCache });
      const prefillRows = prefills.mock.calls
        .filter(([, , , past]) => past === null)
        .map(([tokens]) => tokens.shape[0]);
      prefills.mockRestore();
      // Without the prefix cache the two distinct prefixes are one prefill of two rows; with it, [1, 4] is found.
      expect(prefillRows, String(prefixCache)).toEqual([prefixCache === undefined ? 2 : 1]);
      for (const [index, request] of batch.entries()) {
        const [alone] = await new TfjsPolicy(model, { eosToken: 2, stepDelimiter: 10 }).generate([request]);
        expect(Array.from(generations[index]!.tokens), `request ${index}`).toEqual(Array.from(alone!.tokens));
      }
    }
    cache.dispose();
  });

  it("gives the same tokens with and without the cache, alone or batched, for the same seed", async () => {
    const batched = await policy().generate(requests);
    const again = await policy().generate(requests);
    const uncached = await new TfjsPolicy(model, { eosToken: 2, kvCache: false }).generate(requests);
    const alone = await policy().generate([requests[1]!]);
    expect(again.map((g) => Array.from(g.tokens))).toEqual(batched.map((g) => Array.from(g.tokens)));
    expect(uncached.map((g) => Array.from(g.tokens))).toEqual(batched.map((g) => Array.from(g.tokens)));
    expect(Array.from(alone[0]!.tokens)).toEqual(Array.from(batched[1]!.tokens));
    uncached.forEach((generation, index) => {
      generation.logprobs.forEach((value, position) => {
        expect(value).toBeCloseTo(batched[index]!.logprobs[position]!, 4);
      });
    });
    const reseeded = await policy().generate(requests.map((r) => ({ ...r, settings: { ...r.settings, seed: 99 } })));
    expect(reseeded.map((g) => Array.from(g.tokens))).not.toEqual(batched.map((g) => Array.from(g.tokens)));
  });

  it("decodes a batch whose columns outrun the context: a short prefix keeps going after a long one stopped", async () => {
    // Context 16: the long row stops at its limit while the short one generates 14 tokens, so the
    // left-padded batch holds 14 + 14 columns, more than any row's 16 positions.
    const mixed = [
      { prefix: new Array(14).fill(3), settings: { maxTokens: 50, seed: 7 } },
      { prefix: [1, 4], settings: { maxTokens: 50, seed: 8 } },
    ];
    const noEnd = () => new TfjsPolicy(model, { eosToken: -1 });
    const batched = await noEnd().generate(mixed);
    expect(batched.map((g) => g.tokens.length)).toEqual([2, 14]);
    const alone = await noEnd().generate([mixed[1]!]);
    expect(Array.from(batched[1]!.tokens)).toEqual(Array.from(alone[0]!.tokens));
    const uncached = await new TfjsPolicy(model, { eosToken: -1, kvCache: false }).generate(mixed);
    expect(uncached.map((g) => Array.from(g.tokens))).toEqual(batched.map((g) => Array.from(g.tokens)));
  });

  it("is greedy at temperature 0 whatever the seed, and honours stop tokens and max tokens", async () => {
    const greedy = (seed: number) => ({ prefix: [1, 4], settings: { maxTokens: 10, temperature: 0, seed } });
    const [first, second] = await policy().generate([greedy(1), greedy(2)]);
    expect(Array.from(first!.tokens)).toEqual(Array.from(second!.tokens));
    const stopAt = first!.tokens[first!.tokens.length > 2 ? 2 : 0]!;
    const [stopped] = await policy().generate([
      { prefix: [1, 4], settings: { maxTokens: 10, temperature: 0, stopTokens: [stopAt] } },
    ]);
    expect(stopped!.tokens[stopped!.tokens.length - 1]).toBe(stopAt);
    expect(["stop", "eos"]).toContain(stopped!.finishReason);
    const [short] = await policy().generate([{ prefix: [1, 4], settings: { maxTokens: 1, temperature: 0 } }]);
    expect(short!.tokens.length).toBe(1);
    expect(short!.finishReason).toBe(first!.tokens[0] === 2 ? "eos" : "length");
    const [capped] = await policy().generate([{ prefix: new Array(14).fill(3), settings: { maxTokens: 50, seed: 5 } }]);
    expect(capped!.tokens.length).toBeLessThanOrEqual(2);
  });

  it("grows a batch's cache once for all its steps, not every few steps as it decodes", async () => {
    // Pads are how the cache grows (one per layer's keys and values); the prefill pads once too.
    const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
    const runKernel = engine.runKernel;
    let pads = 0;
    engine.runKernel = function (this: unknown, name: string, ...rest: unknown[]) {
      if (name === "PadV2") pads++;
      return runKernel.call(this, name, ...rest);
    };
    const long = TransformerModel.create({ ...tinyConfig, contextLength: 48 }, { seed: 9 });
    const padsFor = async (maxTokens: number) => {
      pads = 0;
      const [generation] = await new TfjsPolicy(long, { eosToken: -1 }).generate([
        { prefix: [1, 4], settings: { maxTokens, seed: 5 } },
      ]);
      expect(generation!.tokens.length).toBe(maxTokens);
      return pads;
    };
    try {
      const opening = await padsFor(1);
      // 39 steps from 2 columns: growing 8 columns at a time as it went took four growths.
      expect((await padsFor(40)) - opening).toBe(2 * long.config.layers);
    } finally {
      engine.runKernel = runKernel;
      long.dispose();
    }
  });

  it("keeps the tensor count flat over 50 sampling calls", async () => {
    await policy().generate(requests);
    const before = tf.memory().numTensors;
    for (let call = 0; call < 50; call++) await policy().generate(requests.slice(0, 1 + (call % 4)));
    expect(tf.memory().numTensors).toBe(before);
  });

  it("names the request and field that is invalid, and stops when aborted", async () => {
    await expect(policy().generate([requests[0]!, { prefix: [], settings: { maxTokens: 3 } }])).rejects.toThrow(
      /requests\[1\].prefix: the prefix is empty/,
    );
    await expect(policy().generate([{ prefix: [1, 11], settings: { maxTokens: 3 } }])).rejects.toThrow(
      /requests\[0\].prefix\[1\]: token 11/,
    );
    await expect(policy().generate([{ prefix: [1], settings: { maxTokens: 3, topP: 0 } }])).rejects.toThrow(
      /settings.topP/,
    );
    const controller = new AbortController();
    controller.abort(new Error("cancelled"));
    const before = tf.memory().numTensors;
    await expect(policy().generate(requests, { signal: controller.signal })).rejects.toThrow("cancelled");
    expect(tf.memory().numTensors).toBe(before);
  });

  it("decodes shards in worker threads with the same results, resending weights only after they change", async () => {
    const many: GenerationRequest[] = Array.from({ length: 20 }, (_, index) => ({
      prefix: [1, 3 + (index % 8)],
      settings: { maxTokens: 6, seed: 100 + index, temperature: index % 3 === 0 ? 0 : 1 },
    }));
    const threaded = new TfjsPolicy(model, { eosToken: 2, workers: 1 });
    try {
      const expected = await policy().generate(many);
      const first = await threaded.generate(many);
      const second = await threaded.generate(many);
      for (const result of [first, second]) {
        expect(result.map((g) => Array.from(g.tokens))).toEqual(expected.map((g) => Array.from(g.tokens)));
        result.forEach((generation, index) => {
          generation.logprobs.forEach((value, position) => {
            expect(value).toBeCloseTo(expected[index]!.logprobs[position]!, 5);
          });
        });
      }
      // After a weight change the worker must sample from the new weights too.
      const changed = TransformerModel.create({ ...tinyConfig, initScale: 0.5 }, { seed: 10 });
      model.loadWeights(changed.exportWeights());
      changed.dispose();
      const afterChange = await threaded.generate(many);
      const expectedAfter = await policy().generate(many);
      expect(afterChange.map((g) => Array.from(g.tokens))).toEqual(expectedAfter.map((g) => Array.from(g.tokens)));
      expect(expectedAfter.map((g) => Array.from(g.tokens))).not.toEqual(expected.map((g) => Array.from(g.tokens)));
    } finally {
      await threaded.dispose();
    }
  }, 30000);

  it("decodes calls with a prefix cache on this thread alone, so they equal the single-thread calls bit for bit", async () => {
    const many: GenerationRequest[] = Array.from({ length: 20 }, (_, index) => ({
      prefix: [1, 3 + (index % 8)],
      settings: { maxTokens: 4, seed: 200 + index },
    }));
    const threaded = new TfjsPolicy(model, { eosToken: 2, workers: 1 });
    const alone = policy();
    try {
      const runs = [];
      for (const sampler of [alone, threaded]) {
        const cache = sampler.openPrefixCache();
        const first = await sampler.generate(many, { prefixCache: cache });
        // Continuations start from the cached keys and values of the first call's sequences.
        const continued = many.map((request, index) => ({
          prefix: [...Array.from(request.prefix), ...Array.from(first[index]!.tokens)],
          settings: { maxTokens: 4, seed: 300 + index },
        }));
        const second = await sampler.generate(continued, { prefixCache: cache });
        expect(cache.counts.hits).toBeGreaterThan(0);
        cache.dispose();
        runs.push(
          [...first, ...second].map((g) => ({ tokens: Array.from(g.tokens), logprobs: Array.from(g.logprobs) })),
        );
      }
      expect(runs[1]).toEqual(runs[0]);
    } finally {
      await threaded.dispose();
    }
  }, 30000);
});
