/**
 * Load test of `ibtpo serve` on loopback: requests per second and p50/p99 latency under 1, 8 and
 * 32 concurrent clients, each level bounded by a request count and a time limit.
 *
 *   npx -y pnpm@10.34.9 --filter @ibtpo/trainer build
 *   cd apps/trainer && npx tsx bench/serve-load.ts [--checkpoint DIR] [--requests 600] [--seconds 30]
 *     [--max-tokens 24] [--levels 1,8,32] [--backend wasm]
 *
 * Without --checkpoint a fresh model of the pretrain default shape (countdown vocabulary, 64-wide,
 * 2 layers, 4 heads) is saved to a temporary folder. The server runs as its own process (the
 * built CLI), so the clients do not share its event loop.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createBuiltinTask, sampleProblems } from "@ibtpo/bench-harness";
import { SymbolTokenizer, saveCheckpoint, selectBackend, TransformerModel } from "@ibtpo/policy-tfjs";
import { defaultContextLength } from "../src/runtime/task-setup.js";

const { values } = parseArgs({
  options: {
    checkpoint: { type: "string" },
    requests: { type: "string", default: "600" },
    seconds: { type: "string", default: "30" },
    "max-tokens": { type: "string", default: "24" },
    levels: { type: "string", default: "1,8,32" },
    backend: { type: "string", default: "wasm" },
  },
});
const maxRequests = Number(values.requests);
const maxSeconds = Number(values.seconds);
const maxTokens = Number(values["max-tokens"]);
const levels = (values.levels ?? "").split(",").map(Number);
const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "cli.js");

async function freshCheckpoint(directory: string): Promise<string> {
  await selectBackend({ backend: "wasm", log: () => {} });
  const task = createBuiltinTask("countdown", {});
  const tokenizer = SymbolTokenizer.fromSymbols(task.vocabulary);
  const model = TransformerModel.create(
    {
      vocabSize: tokenizer.vocabSize,
      contextLength: defaultContextLength(task, 0),
      modelDimension: 64,
      layers: 2,
      heads: 4,
      tieEmbeddings: true,
    },
    { seed: 1 },
  );
  const path = join(directory, "countdown-fresh");
  await saveCheckpoint(path, { model, tokenizer });
  model.dispose();
  return path;
}

function startServer(checkpoint: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [cli, "serve", checkpoint, "--port", "0", "--backend", values.backend ?? "wasm"],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  return new Promise((resolve, reject) => {
    let text = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const match = /at (http:\/\/[^\s]+)\/v1/.exec(text);
      if (match?.[1] !== undefined) resolve({ child, url: match[1] });
    });
    child.once("exit", (code) => reject(new Error(`ibtpo serve exited with ${code}: ${text}`)));
  });
}

const percentile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;

async function health(url: string): Promise<{ generate_calls: number; generated_rows: number }> {
  return (await (await fetch(`${url}/health`)).json()) as { generate_calls: number; generated_rows: number };
}

async function level(url: string, model: string, prompts: readonly number[][], clients: number) {
  const latencies: number[] = [];
  let sent = 0;
  let tokens = 0;
  const before = await health(url);
  const started = performance.now();
  const deadline = started + maxSeconds * 1000;
  const client = async () => {
    while (sent < maxRequests && performance.now() < deadline) {
      const index = sent++;
      const begin = performance.now();
      const response = await fetch(`${url}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          model,
          prompt: prompts[index % prompts.length],
          max_tokens: maxTokens,
          temperature: 1,
          seed: index,
          logprobs: 0,
          return_tokens_as_token_ids: true,
        }),
      });
      const body = (await response.json()) as { usage?: { completion_tokens: number } };
      if (response.status !== 200) throw new Error(`status ${response.status}: ${JSON.stringify(body)}`);
      latencies.push(performance.now() - begin);
      tokens += body.usage?.completion_tokens ?? 0;
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  const seconds = (performance.now() - started) / 1000;
  const after = await health(url);
  const sorted = [...latencies].sort((a, b) => a - b);
  const calls = after.generate_calls - before.generate_calls;
  return {
    clients,
    requests: latencies.length,
    seconds,
    requestsPerSecond: latencies.length / seconds,
    tokensPerSecond: tokens / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    rowsPerCall: (after.generated_rows - before.generated_rows) / Math.max(calls, 1),
  };
}

const folder = await mkdtemp(join(tmpdir(), "ibtpo-serve-load-"));
let server: ChildProcess | null = null;
try {
  const checkpoint = values.checkpoint ?? (await freshCheckpoint(folder));
  const started = await startServer(checkpoint);
  server = started.child;
  const models = (await (await fetch(`${started.url}/v1/models`)).json()) as { data: { id: string }[] };
  const model = models.data[0]?.id ?? "";
  const tokenize = async (text: string) =>
    (
      (await (
        await fetch(`${started.url}/tokenize`, { method: "POST", body: JSON.stringify({ prompt: text }) })
      ).json()) as { tokens: number[] }
    ).tokens;
  const task = createBuiltinTask("countdown", {});
  const prompts = await Promise.all(
    sampleProblems(task, { split: "test", count: 64, seed: 0 }).map((problem) => tokenize(problem.prompt)),
  );
  // Warm-up: compile kernels and fill caches before timing.
  await level(started.url, model, prompts, 4);
  console.log(
    `ibtpo serve load test: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, node ${process.version}, backend ${values.backend}`,
  );
  console.log(
    `checkpoint ${values.checkpoint ?? "fresh countdown-shaped model (64 wide, 2 layers, 4 heads)"}; max_tokens ${maxTokens}; each level at most ${maxRequests} requests or ${maxSeconds} s`,
  );
  console.log("| clients | requests | req/s | tokens/s | p50 ms | p99 ms | rows per generate call |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|");
  for (const clients of levels) {
    const row = await level(started.url, model, prompts, clients);
    console.log(
      `| ${row.clients} | ${row.requests} | ${row.requestsPerSecond.toFixed(1)} | ${row.tokensPerSecond.toFixed(0)} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} | ${row.rowsPerCall.toFixed(1)} |`,
    );
  }
} finally {
  server?.kill("SIGTERM");
  await rm(folder, { recursive: true, force: true });
}
