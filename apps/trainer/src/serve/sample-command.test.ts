import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBuiltinTask } from "@ibtpo/bench-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliAsync } from "../../test/run-cli.test-helper.js";
import { defaultContextLength } from "../runtime/task-setup.js";
import { startTinyServe, type TinyServe } from "./tiny-checkpoint.test-helper.js";

/** Run `ibtpo ...` as a user would, without blocking this process (the servers live here). */
const ibtpo = runCliAsync;

let tiny: TinyServe;
let folder: string;
beforeAll(async () => {
  const task = createBuiltinTask("countdown", {});
  tiny = await startTinyServe({ symbols: task.vocabulary, contextLength: defaultContextLength(task, 0) });
  folder = await mkdtemp(join(tmpdir(), "ibtpo-sample-cli-"));
});
afterAll(async () => {
  await tiny.stop();
  await rm(folder, { recursive: true, force: true });
});

describe("ibtpo sample", () => {
  it("writes the rollouts of every prompt and says how many", async () => {
    const out = join(folder, "rollouts.jsonl");
    const run = await ibtpo([
      "sample",
      "--server",
      tiny.server.url,
      "--task",
      "countdown",
      "--budget",
      "64",
      "--prompts",
      "2",
      "--out",
      out,
    ]);
    expect(run.stderr).toMatch(/trajectories \d+, generated tokens \d+/);
    expect(run.status).toBe(0);
    const lines = (await readFile(out, "utf8")).trim().split("\n");
    expect(run.stdout).toContain(`${lines.length} rollouts written to ${out}`);
  });

  it("exits 1 with the server's failure and writes no file when every completion fails", async () => {
    const failing = createServer((request, response) => {
      if (request.url === "/v1/models") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ data: [{ id: "m", ibtpo: { eos_token_id: 2, step_delimiter_token_id: 20 } }] }));
        return;
      }
      if (request.url === "/tokenize") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ tokens: [1, 5, 6] }));
        return;
      }
      response.writeHead(503, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { message: "model is reloading" } }));
    });
    await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
    const out = join(folder, "never.jsonl");
    try {
      const run = await ibtpo([
        "sample",
        "--server",
        url,
        "--task",
        "countdown",
        "--budget",
        "32",
        "--retries",
        "2",
        "--out",
        out,
      ]);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        /ibtpo: server answered 503: model is reloading \(.*\/v1\/completions\) \(gave up after 2 attempts\)/,
      );
      expect(existsSync(out)).toBe(false);
    } finally {
      failing.close();
    }
  });
});
