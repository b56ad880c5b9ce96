import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyTfjsError } from "../errors.js";
import { TransformerModel } from "../model/transformer-model.js";
import { tinyConfig, useTestBackend } from "../test-backend.test-helper.js";
import { SymbolTokenizer } from "../tokenizer/symbol-tokenizer.js";
import { PolicyOptimizer } from "../training/policy-optimizer.js";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
import { folderHashes, rewriteWithChecksum } from "./checkpoint.test-helper.js";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.js";

let root: string;
let good: string;
const tokenizer = SymbolTokenizer.fromSymbols([..."abcdefg"]);
const config = { ...tinyConfig, vocabSize: tokenizer.vocabSize };

beforeAll(async () => {
  await useTestBackend();
  root = await mkdtemp(join(tmpdir(), "policy-tfjs-bad-checkpoint-"));
  good = join(root, "good");
  const model = TransformerModel.create(config, { seed: 3 });
  const optimizer = new PolicyOptimizer(model, { learningRate: 1e-2 });
  await saveCheckpoint(good, { model, tokenizer, optimizer, metadata: { step: 1 } });
  optimizer.dispose();
  model.dispose();
});
afterAll(() => rm(root, { recursive: true, force: true }));

const text = (value: string) => new TextEncoder().encode(value);

/** The safetensors file with its JSON header edited and the data bytes kept. */
function editHeader(bytes: Uint8Array, edit: (header: Record<string, unknown>) => unknown): Uint8Array {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  let headerText = JSON.stringify(edit(header) ?? header);
  headerText += " ".repeat((8 - ((8 + headerText.length) % 8)) % 8);
  const headerBytes = text(headerText);
  const output = new Uint8Array(8 + headerBytes.length + bytes.length - 8 - length);
  new DataView(output.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  output.set(headerBytes, 8);
  output.set(bytes.subarray(8 + length), 8 + headerBytes.length);
  return output;
}

/** The weights file with one value of one tensor replaced. */
function withValue(bytes: Uint8Array, tensor: string, index: number, value: number): Uint8Array {
  const { weights, metadata } = decodeSafetensors(bytes);
  for (const weight of weights) if (weight.name === tensor) weight.data[index] = value;
  return encodeSafetensors(weights, metadata);
}

type Damage = (directory: string) => Promise<void>;

const rewriteFile =
  (file: string, change: (bytes: Uint8Array) => Uint8Array, checksum = true): Damage =>
  async (directory) => {
    const bytes = change(new Uint8Array(await readFile(join(directory, file))));
    if (checksum) await rewriteWithChecksum(directory, file, bytes);
    else await writeFile(join(directory, file), bytes);
  };

const rewriteJson = (file: string, change: (json: Record<string, unknown>) => unknown): Damage =>
  rewriteFile(file, (bytes) => text(JSON.stringify(change(JSON.parse(new TextDecoder().decode(bytes))))));

const rewriteText = (file: string, content: string, checksum = true): Damage =>
  rewriteFile(file, () => text(content), checksum);

const header = (change: (header: Record<string, unknown>) => unknown) =>
  rewriteFile("model.safetensors", (bytes) => editHeader(bytes, change));

/** Each case: how the good checkpoint is damaged, and what the error must say (file, then place). */
const cases: readonly { name: string; damage: Damage; message: RegExp }[] = [
  {
    name: "a NaN weight",
    damage: rewriteFile("model.safetensors", (bytes) => withValue(bytes, "token_embedding", 5, Number.NaN)),
    message: /model\.safetensors tensor "token_embedding": value 5 is NaN; every weight must be finite/,
  },
  {
    name: "an infinite weight",
    damage: rewriteFile("model.safetensors", (bytes) =>
      withValue(bytes, "layers.1.mlp.down.weight", 0, Number.POSITIVE_INFINITY),
    ),
    message: /model\.safetensors tensor "layers\.1\.mlp\.down\.weight": value 0 is Infinity/,
  },
  {
    name: "a NaN optimizer moment",
    damage: rewriteFile("optimizer.safetensors", (bytes) => {
      const { weights, metadata } = decodeSafetensors(bytes);
      (weights[2] as { data: Float32Array }).data[0] = Number.NaN;
      return encodeSafetensors(weights, metadata);
    }),
    message: /optimizer\.safetensors tensor "adam_m\.[^"]+": value 0 is NaN/,
  },
  {
    name: "a header entry set to null",
    damage: header((entries) => ({ ...entries, token_embedding: null })),
    message:
      /model\.safetensors tensor "token_embedding": the header entry is null, not \{ dtype, shape, data_offsets \}/,
  },
  {
    name: "a header that is an array",
    damage: header(() => [1, 2]),
    message: /model\.safetensors: the header must be a JSON object of tensor entries/,
  },
  {
    name: "metadata that is not strings",
    damage: rewriteFile("optimizer.safetensors", (bytes) =>
      editHeader(bytes, (entries) => ({ ...entries, __metadata__: { step: 3 } })),
    ),
    message: /optimizer\.safetensors __metadata__: must be an object of string values/,
  },
  {
    name: "a tensor whose data runs past the file",
    damage: header((entries) => ({
      ...entries,
      token_embedding: { dtype: "F32", shape: [1_000_000_000, 16], data_offsets: [0, 64_000_000_000] },
    })),
    message:
      /model\.safetensors tensor "token_embedding": data_offsets \[0,64000000000\] do not hold 16000000000 float32 values/,
  },
  {
    name: "a negative shape",
    damage: header((entries) => ({
      ...entries,
      token_embedding: { dtype: "F32", shape: [-1, 16], data_offsets: [0, 4] },
    })),
    message: /model\.safetensors tensor "token_embedding": invalid shape/,
  },
  {
    name: "a float16 tensor",
    damage: header((entries) => ({
      ...entries,
      token_embedding: { ...(entries.token_embedding as object), dtype: "F16" },
    })),
    message: /model\.safetensors tensor "token_embedding": dtype F16 is not supported/,
  },
  {
    name: "fractional data offsets",
    damage: header((entries) => ({
      ...entries,
      token_embedding: { ...(entries.token_embedding as object), data_offsets: [0.5, 704.5] },
    })),
    message: /model\.safetensors tensor "token_embedding": data_offsets \[0\.5,704\.5\]/,
  },
  {
    name: "a header length past the end of the file",
    damage: rewriteFile("model.safetensors", (bytes) => {
      const copy = bytes.slice();
      new DataView(copy.buffer).setBigUint64(0, 10n ** 12n, true);
      return copy;
    }),
    message: /model\.safetensors: header length 1000000000000 runs past the end of the file/,
  },
  {
    name: "a weights file of 3 bytes",
    damage: rewriteFile("model.safetensors", () => Uint8Array.of(1, 2, 3)),
    message: /model\.safetensors: only 3 bytes/,
  },
  {
    name: "a header that is not JSON",
    damage: rewriteFile("model.safetensors", (bytes) => {
      const copy = bytes.slice();
      copy[8] = "!".charCodeAt(0);
      return copy;
    }),
    message: /model\.safetensors: the header is not JSON/,
  },
  {
    name: "invalid JSON in config.json",
    damage: rewriteText("config.json", "{ vocabSize: 11"),
    message: /config\.json: invalid JSON/,
  },
  {
    name: "invalid JSON in manifest.json",
    damage: rewriteText("manifest.json", '{"format": ', false),
    message: /manifest\.json: invalid JSON/,
  },
  {
    name: "invalid JSON in tokenizer.json",
    damage: rewriteText("tokenizer.json", "[1, 2"),
    message: /tokenizer\.json: invalid JSON/,
  },
  {
    name: "config.json holding null",
    damage: rewriteText("config.json", "null"),
    message: /config\.json: must be a JSON object of model settings/,
  },
  {
    name: "a huge model dimension",
    damage: rewriteJson("config.json", (json) => ({ ...json, modelDimension: 1_000_000_000, mlpDimension: 64 })),
    message: /config\.json: describes a model of \d+ parameters but model\.safetensors holds \d+ values/,
  },
  {
    name: "a billion layers",
    damage: rewriteJson("config.json", (json) => ({ ...json, layers: 1_000_000_000 })),
    message: /config\.json: describes a model of \d+ parameters/,
  },
  {
    name: "heads that do not divide the width",
    damage: rewriteJson("config.json", (json) => ({ ...json, heads: 3 })),
    message: /config\.json config\.heads: modelDimension 16 is not divisible by heads 3/,
  },
  {
    name: "a fractional context length",
    damage: rewriteJson("config.json", (json) => ({ ...json, contextLength: 2.5 })),
    message: /config\.json config\.contextLength: must be a positive integer/,
  },
  {
    name: "a tokenizer of another format",
    damage: rewriteJson("tokenizer.json", (json) => ({ ...json, format: "bpe" })),
    message: /tokenizer\.json tokenizer\.format: not an ibtpo-symbol-tokenizer version 1 document/,
  },
  {
    name: "a manifest whose files is null",
    damage: rewriteText("manifest.json", '{"format":"ibtpo-policy-tfjs-checkpoint","version":1,"files":null}', false),
    message: /manifest\.json: not an ibtpo-policy-tfjs-checkpoint version 1 manifest/,
  },
  {
    name: "a manifest entry set to null",
    damage: async (directory) => {
      const manifest = JSON.parse(await readFile(join(directory, "manifest.json"), "utf8"));
      manifest.files["config.json"] = null;
      await writeFile(join(directory, "manifest.json"), JSON.stringify(manifest));
    },
    message: /manifest\.json files\["config\.json"\]: expected \{ sha256, bytes \}/,
  },
  {
    name: "a changed file under an old checksum",
    damage: rewriteText("config.json", "{}", false),
    message: /config\.json: checksum mismatch/,
  },
  {
    name: "an optimizer step that is not a number",
    damage: rewriteFile("optimizer.safetensors", (bytes) => {
      const { weights } = decodeSafetensors(bytes);
      return encodeSafetensors(weights, { step: "three" });
    }),
    message: /optimizer\.safetensors __metadata__\.step: must be a whole number of optimizer steps, got "three"/,
  },
  {
    name: "a tensor of the wrong shape",
    damage: header((entries) => {
      const first = entries["layers.0.norm1.gain"] as { data_offsets: number[] };
      const second = entries["layers.0.norm1.bias"] as { data_offsets: number[] };
      return {
        ...entries,
        "layers.0.norm1.gain": { dtype: "F32", shape: [2, 8], data_offsets: first.data_offsets },
        "layers.0.norm1.bias": { dtype: "F32", shape: [16], data_offsets: second.data_offsets },
      };
    }),
    message: /model\.safetensors: weight "layers\.0\.norm1\.gain": shape \[2,8\] does not match the config's \[16\]/,
  },
];

describe("loading a damaged checkpoint", () => {
  it.each(cases)(
    "fails at once on $name, naming the file and the place, changing nothing",
    async ({ damage, message }) => {
      const directory = await mkdtemp(join(root, "case-"));
      await cp(good, directory, { recursive: true });
      await damage(directory);
      const before = await folderHashes(directory);
      const started = performance.now();
      const error = await loadCheckpoint(directory).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(performance.now() - started).toBeLessThan(5000);
      expect(PolicyTfjsError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(directory);
      expect(await folderHashes(directory)).toEqual(before);
    },
  );

  it("still loads the undamaged checkpoint", async () => {
    const { model } = await loadCheckpoint(good);
    expect(model.parameterCount).toBeGreaterThan(0);
    model.dispose();
  });
});
