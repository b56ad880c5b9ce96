import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBuiltinTask, sampleProblems } from "@ibtpo/bench-harness";
import { analyzeRolloutLines } from "@ibtpo/ib-score";
import { listModels, PolicyHttpError } from "@ibtpo/policy-http";
import { trainingBatchFromTrees } from "@ibtpo/tpo-loss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advantageEstimatorFor } from "../advantages/advantage-estimator-choice.js";
import { stepEndsOf } from "../advantages/step-ends.test-helper.js";
import { defaultContextLength } from "../runtime/task-setup.js";
import { sampleRollouts } from "./sample-rollouts.js";
import { startTinyServe, type TinyServe } from "./tiny-checkpoint.test-helper.js";

let tiny: TinyServe;
let folder: string;
const task = createBuiltinTask("countdown", {});

beforeAll(async () => {
  tiny = await startTinyServe({ symbols: task.vocabulary, contextLength: defaultContextLength(task, 0) });
  folder = await mkdtemp(join(tmpdir(), "ibtpo-sample-"));
});
afterAll(async () => {
  await tiny.stop();
  await rm(folder, { recursive: true, force: true });
});

/** A server in front of `ibtpo serve` whose completions fail (500 or a dropped connection) after `healthy` of them. */
async function failingProxy(
  target: string,
  healthy: number,
  failure: "500" | "drop",
): Promise<{ url: string; completions: () => number; server: Server }> {
  let completions = 0;
  const server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    if (request.url === "/v1/completions" && ++completions > healthy) {
      if (failure === "drop") {
        request.socket.destroy();
        return;
      }
      response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { message: "GPU fell off the bus" } }));
      return;
    }
    const forwarded = await fetch(`${target}${request.url}`, {
      method: request.method ?? "GET",
      headers: { "content-type": "application/json" },
      ...(request.method === "POST" ? { body } : {}),
    });
    response.writeHead(forwarded.status, { "content-type": "application/json" });
    response.end(await forwarded.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, completions: () => completions, server };
}

const options = (out: string, server: string) => ({
  server,
  task: "countdown" as const,
  sampler: "ib-tree" as const,
  budget: 96,
  prompts: 3,
  seed: 4,
  split: "train" as const,
  out,
  retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 },
});

describe("sampleRollouts", () => {
  it("writes every trajectory of every tree as a line ib-score analyze reads back into the same trees", async () => {
    const out = join(folder, "nested", "rollouts.jsonl");
    const result = await sampleRollouts(options(out, tiny.server.url));
    const text = await readFile(out, "utf8");
    const lines = text.trim().split("\n");
    expect(lines).toHaveLength(result.statistics.trajectories);
    expect(result.lines).toBe(lines.length);
    for (const line of lines) {
      const record = JSON.parse(line) as {
        tokens: number[];
        logprobs: number[];
        entropies: number[];
        step_ends: number[];
      };
      expect(record.step_ends.at(-1)).toBe(record.tokens.length);
      expect(record.entropies).toHaveLength(record.tokens.length);
    }
    const analysis = await analyzeRolloutLines(lines, out);
    expect(analysis.prompts.map((prompt) => prompt.nodes)).toEqual(
      result.samples.map((sample) => sample.tree.size - 1),
    );
    expect(analysis.prompts.map((prompt) => prompt.branching_nodes).some((count) => count > 0)).toBe(true);
    // Branches carry the steps they reused, so the file's trees keep the sampler's draw counts and J.
    expect(lines.some((line) => line.includes('"reused_steps"'))).toBe(true);
    expect(analysis.summary).toEqual(result.statistics.ibScore);
    expect(analysis.prompts.reduce((sum, prompt) => sum + prompt.trajectories, 0)).toBe(lines.length);
    expect(result.statistics.generatedTokens).toBeLessThanOrEqual(3 * 96);
    expect(result.statistics.trajectories).toBeGreaterThan(3);
  });

  it("adds the advantages the trainer computes for the sampled trees", async () => {
    const out = join(folder, "advantages.jsonl");
    const estimator = advantageEstimatorFor("ib-tpo");
    const result = await sampleRollouts({ ...options(out, tiny.server.url), advantages: estimator });
    const batch = trainingBatchFromTrees(
      result.samples.map((sample) => sample.tree),
      estimator,
    );
    const promptOrder: string[] = [];
    const lines = (await readFile(out, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(result.statistics.trajectories);
    for (const line of lines) {
      const record = JSON.parse(line) as {
        prompt_id: string;
        tokens: number[];
        step_ends: number[];
        advantages: number[];
      };
      if (!promptOrder.includes(record.prompt_id)) promptOrder.push(record.prompt_id);
      const group = promptOrder.indexOf(record.prompt_id);
      const row = batch.sequences.find(
        (sequence) =>
          sequence.groupIndex === group &&
          sequence.tokens.join() === record.tokens.join() &&
          stepEndsOf(sequence.tokenNodes).join() === record.step_ends.join(),
      );
      expect(row, line).toBeDefined();
      expect(record.advantages).toEqual(Array.from(row!.advantages));
    }
  });

  it("is reproducible for a seed", async () => {
    const first = join(folder, "first.jsonl");
    const second = join(folder, "second.jsonl");
    await sampleRollouts(options(first, tiny.server.url));
    await sampleRollouts(options(second, tiny.server.url));
    expect(await readFile(second, "utf8")).toBe(await readFile(first, "utf8"));
  });

  it("samples the trees of one request batch per round while sending each round as soon as it can", async () => {
    const continuous = join(folder, "continuous.jsonl");
    const perRound = join(folder, "per-round.jsonl");
    const a = await sampleRollouts({ ...options(continuous, tiny.server.url), budget: 400 });
    const b = await sampleRollouts({ ...options(perRound, tiny.server.url), budget: 400, continuousBatching: false });
    const lines = async (file: string) =>
      (await readFile(file, "utf8"))
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { tokens: number[]; logprobs: number[]; entropies: number[] });
    const [continuousLines, perRoundLines] = [await lines(continuous), await lines(perRound)];
    // Same tokens, steps and rewards; the server batches rows differently, so log-probs and
    // entropies match up to float rounding.
    const exact = ({ logprobs, entropies, ...line }: { logprobs: number[]; entropies: number[] }) => line;
    expect(continuousLines.map(exact)).toEqual(perRoundLines.map(exact));
    continuousLines.forEach((line, index) => {
      for (const field of ["logprobs", "entropies"] as const) {
        line[field].forEach((value, position) => {
          expect(Math.abs(value - perRoundLines[index]![field][position]!)).toBeLessThan(1e-5);
        });
      }
    });
    // Per round, the prompts' rounds go out together; continuously, each prompt's round on its own.
    expect(a.statistics.generateCalls).toBeGreaterThan(b.statistics.generateCalls);
  });

  it("applies sampler settings and names an unknown one", async () => {
    const out = join(folder, "wide.jsonl");
    const wide = await sampleRollouts({
      ...options(out, tiny.server.url),
      budget: 400,
      samplerOptions: { initialChains: 4, branches: 3 },
    });
    const firstIteration = wide.samples[0]?.iterations[0];
    expect(firstIteration?.requests).toBe(4);
    await expect(
      sampleRollouts({ ...options(join(folder, "bad.jsonl"), tiny.server.url), samplerOptions: { bogus: 1 } }),
    ).rejects.toThrow(
      /"sampler\.bogus" does not apply to sampler ib-tree; its keys: initialChains, nodesPerRound, branches, rounds/,
    );
  });

  it.each([
    ["500", "http", /server answered 500: GPU fell off the bus .*gave up after 2 attempts/],
    ["drop", "connection", /the connection failed before an answer: .*other side closed .*gave up after 2 attempts/],
  ] as const)(
    "writes nothing when the server starts failing (%s) mid-run, and reports it clearly",
    async (mode, kind, message) => {
      const proxy = await failingProxy(tiny.server.url, 4, mode);
      const out = join(folder, `failing-${mode}`, "rollouts.jsonl");
      try {
        const error = await sampleRollouts(options(out, proxy.url)).then(
          () => null,
          (reason: unknown) => reason,
        );
        expect(PolicyHttpError.isInstance(error)).toBe(true);
        const failure = error as PolicyHttpError;
        expect([failure.kind, failure.attempts, failure.isRetryable]).toEqual([kind, 2, true]);
        expect(failure.message).toMatch(message);
        expect(proxy.completions()).toBeGreaterThan(4);
      } finally {
        proxy.server.closeAllConnections();
        proxy.server.close();
      }
      expect(existsSync(out)).toBe(false);
      expect(await readdir(join(folder, `failing-${mode}`))).toEqual([]);
    },
  );
});

describe("sampleRollouts against a server that does not name its tokens", () => {
  it("asks for the end token by its command-line flag, naming the detected server kind", async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ object: "list", data: [{ id: "m.gguf", owned_by: "llamacpp", meta: { n_ctx: 40 } }] }),
      );
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    try {
      const { port } = server.address() as AddressInfo;
      const out = join(folder, "unnamed.jsonl");
      const error = await sampleRollouts({
        server: `http://127.0.0.1:${port}`,
        task: "countdown",
        sampler: "chains",
        budget: 8,
        prompts: 1,
        seed: 0,
        split: "train",
        out,
      }).catch((reason: unknown) => reason);
      expect((error as Error).message).toMatch(
        /^--eos-token: the llama\.cpp server at .* does not name its end token; pass --eos-token/,
      );
      expect(existsSync(out)).toBe(false);
    } finally {
      server.close();
    }
  });
});

describe("sampleRollouts against ibtpo serve of a checkpoint that records its task", () => {
  it("draws prompts with the checkpoint's task options unless given, and refuses another task", async () => {
    const served = await startTinyServe({
      symbols: task.vocabulary,
      contextLength: defaultContextLength(task, 0),
      metadata: { task: "countdown", taskOptions: { numbers: 2 } },
    });
    try {
      const card = (await listModels(served.server.url))[0];
      expect(card?.ibtpo).toMatchObject({ task: "countdown", task_options: { numbers: 2 } });
      const promptIds = async (out: string) =>
        new Set(
          (await readFile(out, "utf8"))
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line).prompt_id as string),
        );
      const idsOf = (options: Record<string, number>) =>
        new Set(
          sampleProblems(createBuiltinTask("countdown", options), { split: "train", count: 3, seed: 4 }).map(
            (problem) => problem.id,
          ),
        );
      const said: string[] = [];
      const fromCard = join(folder, "from-card.jsonl");
      await sampleRollouts({ ...options(fromCard, served.server.url), log: (line) => said.push(line) });
      expect(await promptIds(fromCard)).toEqual(idsOf({ numbers: 2 }));
      expect(idsOf({ numbers: 2 })).not.toEqual(idsOf({}));
      expect(said).toContain("task options of the served checkpoint: numbers=2");
      const given = join(folder, "given.jsonl");
      await sampleRollouts({ ...options(given, served.server.url), taskOptions: { numbers: 3 } });
      expect(await promptIds(given)).toEqual(idsOf({ numbers: 3 }));
      await expect(
        sampleRollouts({ ...options(join(folder, "other.jsonl"), served.server.url), task: "sort-swaps" }),
      ).rejects.toThrow(/--task sort-swaps, but the server's model tiny was trained on countdown/);
    } finally {
      await served.stop();
    }
  });
});
