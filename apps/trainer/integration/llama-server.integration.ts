import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Problem, sampleProblems } from "@ibtpo/bench-harness";
import { loadCheckpoint, type SymbolTokenizer, selectBackend } from "@ibtpo/policy-tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask } from "../src/runtime/task-setup.js";
import { runCliAsync as ibtpo } from "../test/run-cli.test-helper.js";
import { type LlamaServer, startLlamaServer } from "./llama-server-process.js";
import { startIbtpoServe } from "./start-ibtpo-serve.js";

/**
 * `ibtpo sample` against a real llama.cpp `llama-server` serving this repository's countdown base
 * checkpoint exported to GGUF, next to `ibtpo serve` over the same checkpoint. The binary comes
 * from IBTPO_LLAMA_SERVER (built by integration/build-llama-server.sh).
 */
const llamaServerBinary = process.env.IBTPO_LLAMA_SERVER;
if (llamaServerBinary === undefined || llamaServerBinary === "") {
  throw new Error("set IBTPO_LLAMA_SERVER to a llama-server binary (integration/build-llama-server.sh prints one)");
}

const root = resolve(import.meta.dirname, "../../..");
const checkpoint = join(root, "checkpoints/countdown-base");
const EOS = 2;
const NEWLINE = 20;
/** The options countdown-base was trained with (its manifest.json). */
const TASK_OPTIONS = { numbers: 3 };
const TOLERANCE = 1e-2;

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

let folder: string;
let llama: LlamaServer | null = null;
let llamaUrl: string;
let ibtpoUrl: string;
let closeIbtpo: () => Promise<void>;
let vocabSize: number;
let tokenizer: SymbolTokenizer;
/** The countdown problems the samples are drawn from, by id. */
let problems: Map<string, Problem<unknown>>;
const task = createTask("countdown", TASK_OPTIONS);

beforeAll(async () => {
  await selectBackend({ backend: "wasm", log: () => {} });
  folder = await mkdtemp(join(tmpdir(), "ibtpo-llama-"));
  const gguf = join(folder, "countdown-base.gguf");
  const exported = await ibtpo(["export", checkpoint, "--format", "gguf", "--out", gguf]);
  expect(exported.stderr).not.toMatch(/Error/);
  expect(exported.status).toBe(0);
  const loaded = await loadCheckpoint(checkpoint);
  vocabSize = loaded.model.config.vocabSize;
  tokenizer = loaded.tokenizer;
  problems = new Map(
    sampleProblems(task, { split: "train", count: 6, seed: 3 }).map((problem) => [problem.id, problem]),
  );
  const contextLength = loaded.model.config.contextLength;
  loaded.model.dispose();

  llama = await startLlamaServer(llamaServerBinary, gguf, contextLength);
  llamaUrl = llama.url;

  const ibtpoServe = await startIbtpoServe(checkpoint);
  ibtpoUrl = ibtpoServe.url;
  closeIbtpo = ibtpoServe.stop;
});

afterAll(async () => {
  await closeIbtpo?.();
  await llama?.stop();
  await rm(folder, { recursive: true, force: true });
});

/** Full next-token distribution (token id -> log-prob) at `prefix`, from each server. */
async function llamaDistribution(prefix: readonly number[], temperature: number): Promise<Map<number, number>> {
  const answer = await post(`${llamaUrl}/v1/completions`, {
    model: "countdown-base",
    prompt: prefix,
    max_tokens: 1,
    temperature,
    top_k: 0,
    top_p: 1,
    min_p: 0,
    logprobs: vocabSize,
    seed: 1,
    ...(temperature === 1 ? {} : { post_sampling_probs: true }),
  });
  const [entry] = (answer.choices as { logprobs: { content: Record<string, unknown>[] } }[])[0]!.logprobs.content;
  const top = (entry!.top_logprobs ?? entry!.top_probs) as { id: number; logprob?: number; prob?: number }[];
  return new Map(top.map((item) => [item.id, item.logprob ?? Math.log(item.prob as number)]));
}

async function ibtpoDistribution(prefix: readonly number[], temperature: number): Promise<Map<number, number>> {
  const answer = await post(`${ibtpoUrl}/v1/completions`, {
    model: "countdown-base",
    prompt: prefix,
    max_tokens: 1,
    temperature,
    logprobs: vocabSize,
    seed: 1,
    return_tokens_as_token_ids: true,
  });
  const top = (answer.choices as { logprobs: { top_logprobs: Record<string, number>[] } }[])[0]!.logprobs
    .top_logprobs[0]!;
  return new Map(Object.entries(top).map(([token, logprob]) => [Number(token.replace("token_id:", "")), logprob]));
}

interface RolloutLine {
  readonly prompt_id: string;
  readonly tokens: number[];
  readonly logprobs: number[];
  readonly reward: number;
  readonly truncated: boolean;
}

const samples = new Map<string, RolloutLine[]>();

describe("ibtpo sample against llama-server (GGUF export of countdown-base)", () => {
  it("reports the GGUF model, its context, and is detected as llama.cpp", async () => {
    const models = (await (await fetch(`${llamaUrl}/v1/models`)).json()) as {
      data: { owned_by: string; meta: { n_ctx: number; n_vocab: number } }[];
    };
    expect(models.data[0]?.owned_by).toBe("llamacpp");
    expect(models.data[0]?.meta).toMatchObject({ n_ctx: 40, n_vocab: vocabSize });
    const tokens = await post(`${llamaUrl}/tokenize`, { content: "12+3=15\n", add_special: true });
    expect(tokens.tokens).toEqual([1, 4, 5, 13, 6, 17, 4, 8, NEWLINE]);
  });

  for (const sampler of ["chains", "ib-tree", "entropy-tree"] as const) {
    it(`samples ${sampler} end to end, with rewards scored on text without the end token`, async () => {
      const out = join(folder, `${sampler}.jsonl`);
      const run = await ibtpo([
        "sample",
        "--server",
        llamaUrl,
        "--task",
        "countdown",
        "--sampler",
        sampler,
        "--budget",
        "96",
        "--prompts",
        "6",
        "--seed",
        "3",
        "--task-option",
        "numbers=3",
        "--eos-token",
        String(EOS),
        "--step-delimiter-token",
        String(NEWLINE),
        ...(sampler === "entropy-tree" ? ["--entropy", "top-k-lower-bound", "--top-logprobs", String(vocabSize)] : []),
        "--out",
        out,
      ]);
      expect(run.stderr).toMatch(/\(llama\.cpp\)/);
      expect(run.status, run.stderr).toBe(0);
      const lines = (await readFile(out, "utf8"))
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as RolloutLine);
      expect(lines.length).toBeGreaterThan(6);
      samples.set(sampler, lines);
      // Every reward is what the task's verifier gives the text without the end token (the local
      // tokenizer drops it; llama-server's /detokenize would print "<eos>").
      let finished = 0;
      for (const line of lines) {
        const problem = problems.get(line.prompt_id.split("#")[0] as string);
        expect(problem).toBeDefined();
        if (line.tokens.at(-1) === EOS) finished++;
        // A truncated trajectory never reached the end token and scores 0 whatever its text says.
        const expected = line.truncated ? 0 : task.verify(problem!, tokenizer.decode(line.tokens)).reward;
        expect(line.reward).toBe(expected);
      }
      expect(finished).toBeGreaterThan(0);
      const analysis = await ibtpo(["analyze", out, "--json"]);
      expect(analysis.status, analysis.stderr).toBe(0);
      const report = JSON.parse(analysis.stdout) as { prompts?: unknown; trajectories?: number };
      expect(report).toBeTypeOf("object");
    });
  }

  it("finds some correct answers across the three samplers (the verifier sees no <eos>)", () => {
    const rewards = [...samples.values()].flat().map((line) => line.reward);
    expect(rewards.length).toBeGreaterThan(0);
    expect(rewards.some((reward) => reward > 0)).toBe(true);
  });

  // llama.cpp's CPU GELU reads a float16 table (ggml-cpu/vec.h, GGML_GELU_FP16), so activations
  // carry about 1e-3 relative error; it moves likely tokens' log-probs by a few 1e-3 and the tails
  // (p < e^-3) by up to about 2e-2. The sampled tokens and the likely ones are held to 1e-2; every
  // token of the distribution to 5e-2.
  it(`agrees with ibtpo serve on the sampled tokens' log-probs and on the likely tokens within ${TOLERANCE}`, async () => {
    const largest = { sampled: 0, likely: 0, tail: 0 };
    let compared = 0;
    for (const sampler of ["chains", "ib-tree"]) {
      for (const line of (samples.get(sampler) ?? []).slice(0, 8)) {
        const problem = problems.get(line.prompt_id.split("#")[0] as string);
        const prompt = Array.from(tokenizer.encode(problem!.prompt, { bos: true }));
        for (let cut = 0; cut < line.tokens.length; cut++) {
          const prefix = [...prompt, ...line.tokens.slice(0, cut)];
          for (const temperature of cut === 0 ? [1, 0.7] : [1]) {
            const [ours, theirs] = await Promise.all([
              ibtpoDistribution(prefix, temperature),
              llamaDistribution(prefix, temperature),
            ]);
            expect(theirs.size).toBe(vocabSize);
            for (const [token, logprob] of ours) {
              const difference = Math.abs(logprob - (theirs.get(token) ?? Number.NEGATIVE_INFINITY));
              const band = logprob > -3 ? "likely" : "tail";
              largest[band] = Math.max(largest[band], difference);
              compared++;
            }
            if (temperature === 1) {
              // The log-prob ibtpo sample recorded from llama-server for the token it drew here.
              const sampled = ours.get(line.tokens[cut] as number) as number;
              largest.sampled = Math.max(largest.sampled, Math.abs(sampled - (line.logprobs[cut] as number)));
            }
          }
        }
      }
    }
    console.error(
      `compared ${compared} next-token log-probs: largest difference ${largest.sampled.toExponential(2)} on sampled tokens, ` +
        `${largest.likely.toExponential(2)} on tokens with p > e^-3, ${largest.tail.toExponential(2)} below`,
    );
    expect(compared).toBeGreaterThan(500);
    expect(largest.sampled).toBeLessThan(TOLERANCE);
    expect(largest.likely).toBeLessThan(TOLERANCE);
    expect(largest.tail).toBeLessThan(5 * TOLERANCE);
  });
});
