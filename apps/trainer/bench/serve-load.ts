/**
 * Load test of `ibtpo serve` on loopback: requests per second and p50/p99 latency under 1, 8 and
 * 32 concurrent clients, each level bounded by a request count and a time limit. Then the
 * fairness phase: one client sends maximal requests (the default per-request limits) in a loop
 * while `--small-clients` others send small ones, for `--fair-seconds`; it prints the small
 * requests' p50/p99 and the server's peak RSS (read from /proc), and that a 20,000-prompt x
 * n=128 request is refused at once.
 *
 *   npx -y pnpm@10.34.9 --filter @ibtpo/trainer build
 *   cd apps/trainer && npx tsx bench/serve-load.ts [--checkpoint DIR] [--requests 600] [--seconds 30]
 *     [--max-tokens 24] [--levels 1,8,32] [--backend wasm] [--fair-seconds 20] [--small-clients 4]
 *
 * Without --checkpoint a fresh model of the pretrain default shape (countdown vocabulary, 64-wide,
 * 2 layers, 4 heads) is saved to a temporary folder. The server runs as its own process (the
 * built CLI), so the clients do not share its event loop.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createBuiltinTask, sampleProblems } from "@ibtpo/bench-harness";
import { SymbolTokenizer, saveCheckpoint, selectBackend, TransformerModel } from "@ibtpo/policy-tfjs";
import { integerOption, parseScriptArguments } from "../../../scripts/command-line.mjs";
import { defaultContextLength } from "../src/runtime/task-setup.js";
import { DEFAULT_SERVE_LIMITS } from "../src/serve/serve-limits.js";
import { cpuModel } from "./cpu-model.js";

const { values } = parseScriptArguments(import.meta.url, {
  options: {
    checkpoint: { type: "string" },
    requests: { type: "string", default: "600" },
    seconds: { type: "string", default: "30" },
    "max-tokens": { type: "string", default: "24" },
    levels: { type: "string", default: "1,8,32" },
    backend: { type: "string", default: "wasm" },
    "fair-seconds": { type: "string", default: "20" },
    "small-clients": { type: "string", default: "4" },
  },
});
const maxRequests = integerOption(import.meta.url, "--requests", values.requests);
const maxSeconds = Number(values.seconds);
const maxTokens = integerOption(import.meta.url, "--max-tokens", values["max-tokens"]);
const levels = values.levels.split(",").map((clients) => integerOption(import.meta.url, "--levels", clients));
const smallClients = integerOption(import.meta.url, "--small-clients", values["small-clients"]);
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

/** Resident memory of a process in MB, from /proc (Linux); NaN elsewhere. */
function rssMegabytes(pid: number | undefined): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match === null ? Number.NaN : Number(match[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

async function complete(url: string, body: Record<string, unknown>, authorization: string) {
  const response = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  return { status: response.status, answer };
}

/**
 * One client sends maximal requests back to back while `smallClients` send one-prompt requests;
 * bounded by `--fair-seconds` and `--requests` small requests. Returns the small requests'
 * latencies and the server's peak RSS.
 */
async function fairness(url: string, model: string, prompts: readonly number[][], server: ChildProcess) {
  const limits = DEFAULT_SERVE_LIMITS;
  let peakRss = rssMegabytes(server.pid);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMegabytes(server.pid));
  }, 100);
  const flood = performance.now();
  const refused = await complete(
    url,
    { model, prompt: Array.from({ length: 20_000 }, (_, index) => prompts[index % prompts.length]), n: 128 },
    "Bearer flood",
  );
  const floodMs = performance.now() - flood;
  const rows = limits.maxRowsPerRequest;
  const bigBody = {
    model,
    prompt: Array.from({ length: rows }, (_, index) => prompts[index % prompts.length]),
    max_tokens: Math.floor(limits.maxTokensPerRequest / rows),
    temperature: 1,
    logprobs: 0,
  };
  let bigRequests = 0;
  let bigRows = 0;
  const big = async (until: number) => {
    while (performance.now() < until) {
      const { status } = await complete(url, bigBody, "Bearer big");
      if (status !== 200) throw new Error(`maximal request answered ${status}`);
      bigRequests++;
      bigRows += rows;
    }
  };
  const latencies: number[] = [];
  let sent = 0;
  const small = async (client: number, until: number) => {
    while (performance.now() < until && sent < maxRequests) {
      const index = sent++;
      const begin = performance.now();
      const { status, answer } = await complete(
        url,
        { model, prompt: prompts[index % prompts.length], max_tokens: maxTokens, seed: index, logprobs: 0 },
        `Bearer small-${client}`,
      );
      if (status !== 200) throw new Error(`small request answered ${status}: ${JSON.stringify(answer)}`);
      latencies.push(performance.now() - begin);
    }
  };
  // The floor: the same small clients alone, for a quarter of the time, in the same run.
  const aloneUntil = performance.now() + (Number(values["fair-seconds"]) * 1000) / 4;
  await Promise.all(Array.from({ length: smallClients }, (_, client) => small(client, aloneUntil)));
  const alone = [...latencies].sort((a, b) => a - b);
  latencies.length = 0;
  sent = 0;
  const shared = performance.now() + Number(values["fair-seconds"]) * 1000;
  await Promise.all([big(shared), ...Array.from({ length: smallClients }, (_, client) => small(client, shared))]);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, rssMegabytes(server.pid));
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    refusedStatus: refused.status,
    floodMs,
    small: latencies.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    aloneP50: percentile(alone, 0.5),
    aloneP99: percentile(alone, 0.99),
    bigRequests,
    bigRows,
    peakRss,
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
    `ibtpo serve load test: ${cpus().length} x ${cpuModel()}, node ${process.version}, backend ${values.backend}`,
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
  const fair = await fairness(started.url, model, prompts, started.child);
  console.log("");
  console.log(
    `fairness: ${values["small-clients"]} clients sending small requests (max_tokens ${maxTokens}) alone for ${Number(values["fair-seconds"]) / 4} s, then beside 1 client sending maximal ones (${DEFAULT_SERVE_LIMITS.maxRowsPerRequest} rows, max_tokens ${Math.floor(DEFAULT_SERVE_LIMITS.maxTokensPerRequest / DEFAULT_SERVE_LIMITS.maxRowsPerRequest)}) for ${values["fair-seconds"]} s; load average ${loadavg()[0]?.toFixed(1)}`,
  );
  console.log(
    "| small alone p50 / p99 ms | small beside maximal p50 / p99 ms | p99 ratio | small requests | maximal requests (rows) | server peak RSS MB | 20,000 x n=128 request |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---|");
  console.log(
    `| ${fair.aloneP50.toFixed(0)} / ${fair.aloneP99.toFixed(0)} | ${fair.p50.toFixed(0)} / ${fair.p99.toFixed(0)} | ${(fair.p99 / fair.aloneP99).toFixed(1)}x | ${fair.small} | ${fair.bigRequests} (${fair.bigRows}) | ${fair.peakRss.toFixed(0)} | ${fair.refusedStatus} in ${fair.floodMs.toFixed(0)} ms |`,
  );
} finally {
  server?.kill("SIGTERM");
  await rm(folder, { recursive: true, force: true });
}
