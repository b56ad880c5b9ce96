/**
 * Train a tiny transformer to echo a digit string, sample from it, and round-trip a checkpoint.
 *   npx -y pnpm@10.34.9 --filter @ibtpo/policy-tfjs example
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Mulberry32, scrambleSeed } from "@ibtpo/random";
import {
  loadCheckpoint,
  PolicyOptimizer,
  SymbolTokenizer,
  saveCheckpoint,
  selectBackend,
  sftLoss,
  splitIntoMicroBatches,
  TfjsPolicy,
  TransformerModel,
} from "../src/index.js";

await selectBackend(); // logs e.g. "policy-tfjs backend: wasm (skipped node-gpu: ...; node: ...)"
const tokenizer = SymbolTokenizer.fromSymbols([..."0123456789=", "\n"]);
const model = TransformerModel.create(
  { vocabSize: tokenizer.vocabSize, contextLength: 16, modelDimension: 64, layers: 2, heads: 4 },
  { seed: 1 },
);
console.log(`parameters: ${model.parameterCount}`);

// Prompt "<bos>d1 d2 d3=" and response "d1 d2 d3\n<eos>".
const random = new Mulberry32(scrambleSeed(2));
const example = () => {
  const digits = Array.from({ length: 3 }, () => String(Math.floor(random.next() * 10))).join("");
  const prompt = tokenizer.encode(`${digits}=`, { bos: true });
  const response = tokenizer.encode(`${digits}\n`, { eos: true });
  return { tokens: [...prompt, ...response], promptLength: prompt.length };
};
const optimizer = new PolicyOptimizer(model, {
  learningRate: { peak: 3e-3, warmupSteps: 20, decay: "cosine", totalSteps: 150 },
  weightDecay: 0.01,
});
for (let step = 0; step < 150; step++) {
  const rows = Array.from({ length: 32 }, example);
  const result = optimizer.trainStep(splitIntoMicroBatches(rows, 16), (batch) => sftLoss(model, batch));
  if (step % 50 === 0 || step === 149)
    console.log(`step ${step}: loss ${result.loss.toFixed(3)}, lr ${result.learningRate.toExponential(2)}`);
}

const policy = TfjsPolicy.fromTokenizer(model, tokenizer);
const prompts = ["123=", "907=", "555="];
const generations = await policy.generate(
  prompts.map((text) => ({
    prefix: tokenizer.encode(text, { bos: true }),
    settings: { maxTokens: 6, temperature: 0 },
  })),
);
generations.forEach((generation, index) => {
  console.log(
    `${prompts[index]} -> ${JSON.stringify(tokenizer.decode(generation.tokens))} (${generation.finishReason})`,
  );
});

const directory = join(await mkdtemp(join(tmpdir(), "policy-tfjs-")), "checkpoint");
await saveCheckpoint(directory, { model, tokenizer, optimizer, metadata: { step: optimizer.step } });
const loaded = await loadCheckpoint(directory);
const [again] = await TfjsPolicy.fromTokenizer(loaded.model, loaded.tokenizer).generate([
  { prefix: tokenizer.encode("123=", { bos: true }), settings: { maxTokens: 6, temperature: 0 } },
]);
console.log(`after reload: 123= -> ${JSON.stringify(loaded.tokenizer.decode(again!.tokens))}`);
await rm(directory, { recursive: true, force: true });
