import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransformerModel } from "../model/transformer-model.js";
import { TfjsPolicy } from "../sampling/tfjs-policy.js";
import { tinyConfig, useTestBackend } from "../test-backend.test-helper.js";
import { SymbolTokenizer } from "../tokenizer/symbol-tokenizer.js";
import { PolicyOptimizer } from "../training/policy-optimizer.js";
import { sftLoss } from "../training/sft-loss.js";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
import { rewriteWithChecksum } from "./checkpoint.test-helper.js";
import { encodeSafetensors } from "./safetensors.js";

let root: string;
const tokenizer = SymbolTokenizer.fromSymbols([..."abcdefg"]);
const config = { ...tinyConfig, vocabSize: tokenizer.vocabSize };

beforeAll(async () => {
  await useTestBackend();
  root = await mkdtemp(join(tmpdir(), "policy-tfjs-checkpoint-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function trainedCheckpoint(name: string) {
  const model = TransformerModel.create(config, { seed: 4 });
  const optimizer = new PolicyOptimizer(model, { learningRate: 1e-2 });
  const rows = [{ tokens: tokenizer.encode("abc\n", { bos: true, eos: true }), promptLength: 2 }];
  for (let step = 0; step < 3; step++) optimizer.trainStep([rows], (batch) => sftLoss(model, batch));
  const directory = join(root, name);
  await saveCheckpoint(directory, { model, tokenizer, optimizer, metadata: { step: 3 } });
  return { model, optimizer, directory };
}

describe("checkpoints", () => {
  it("round-trips weights, tokenizer and optimizer state bit for bit, leaving no temporary folder", async () => {
    const { model, optimizer, directory } = await trainedCheckpoint("round-trip");
    const loaded = await loadCheckpoint(directory, { expectedConfig: config });
    const original = model.exportWeights();
    loaded.model.exportWeights().forEach((weight, index) => {
      expect(weight.name).toBe(original[index]!.name);
      expect(new Uint8Array(weight.data.buffer)).toEqual(new Uint8Array(original[index]!.data.buffer));
    });
    expect(loaded.tokenizer.toJSON()).toEqual(tokenizer.toJSON());
    expect(loaded.optimizerState).toEqual(optimizer.exportState());
    expect(loaded.manifest.metadata).toEqual({ step: 3 });
    const request = { prefix: [1, 3], settings: { maxTokens: 6, seed: 8 } };
    const [before] = await TfjsPolicy.fromTokenizer(model, tokenizer).generate([request]);
    const [after] = await TfjsPolicy.fromTokenizer(loaded.model, loaded.tokenizer).generate([request]);
    expect(after).toEqual(before);
    expect((await readdir(root)).filter((entry) => entry.includes(".tmp-"))).toEqual([]);
    // Saving again over the same folder replaces it.
    await saveCheckpoint(directory, { model, tokenizer });
    expect((await loadCheckpoint(directory)).optimizerState).toBeNull();
    for (const disposable of [model, optimizer, loaded.model]) disposable.dispose();
  });

  it("rejects a corrupted file by its checksum", async () => {
    const { model, optimizer, directory } = await trainedCheckpoint("corrupted");
    const path = join(directory, "model.safetensors");
    const bytes = await readFile(path);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    await writeFile(path, bytes);
    await expect(loadCheckpoint(directory)).rejects.toThrow(/model.safetensors: checksum mismatch/);
    model.dispose();
    optimizer.dispose();
  });

  it("names the mismatch when weights, config or tokenizer do not fit", async () => {
    const { model, optimizer, directory } = await trainedCheckpoint("mismatched");
    await expect(loadCheckpoint(directory, { expectedConfig: { ...config, layers: 3 } })).rejects.toThrow(
      /config.layers: checkpoint has 2, expected 3/,
    );
    const weights = model.exportWeights();
    const renamed = weights.map((w) => (w.name === "final_norm.bias" ? { ...w, name: "final_norm.beta" } : w));
    await rewriteWithChecksum(directory, "model.safetensors", encodeSafetensors(renamed));
    await expect(loadCheckpoint(directory)).rejects.toThrow(/model.safetensors: weight "final_norm.bias": missing/);
    const reshaped = weights.map((w) => (w.name === "output.weight" ? { ...w, shape: [w.shape[1]!, w.shape[0]!] } : w));
    await rewriteWithChecksum(directory, "model.safetensors", encodeSafetensors(reshaped));
    await expect(loadCheckpoint(directory)).rejects.toThrow(
      /weight "output.weight": shape \[11,16\] does not match the config.s \[16,11\]/,
    );
    await rewriteWithChecksum(
      directory,
      "tokenizer.json",
      new TextEncoder().encode(JSON.stringify(SymbolTokenizer.fromSymbols(["x"]))),
    );
    await expect(loadCheckpoint(directory)).rejects.toThrow(/tokenizer.json: has 5 tokens but config.vocabSize is 11/);
    await expect(loadCheckpoint(join(root, "absent"))).rejects.toThrow(/no manifest.json/);
    model.dispose();
    optimizer.dispose();
  });
});
