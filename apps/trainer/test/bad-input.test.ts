import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { decodeSafetensors, encodeSafetensors } from "@ibtpo/policy-tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { runCliAsync, TINY_PRETRAIN, TINY_TRAIN, temporaryDirectory } from "./run-cli.test-helper.js";

const work = temporaryDirectory("bad-input");
const base = join(work, "base");
const run = join(work, "run");

/** sha256 of every file under a folder, by relative path: equal before and after means nothing changed. */
function treeHashes(directory: string, prefix = ""): Record<string, string> {
  if (!existsSync(directory)) return {};
  const hashes: Record<string, string> = {};
  for (const name of readdirSync(directory).sort()) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) Object.assign(hashes, treeHashes(path, `${prefix}${name}/`));
    else hashes[`${prefix}${name}`] = createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return hashes;
}

/** Replace a checkpoint file and record its checksum, so only its content is wrong. */
function rewriteWithChecksum(checkpoint: string, file: string, bytes: Uint8Array): void {
  writeFileSync(join(checkpoint, file), bytes);
  const manifest = JSON.parse(readFileSync(join(checkpoint, "manifest.json"), "utf8"));
  manifest.files[file] = { sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
  writeFileSync(join(checkpoint, "manifest.json"), JSON.stringify(manifest));
}

function withNaN(checkpoint: string, tensor: string): void {
  const { weights, metadata } = decodeSafetensors(new Uint8Array(readFileSync(join(checkpoint, "model.safetensors"))));
  for (const weight of weights) if (weight.name === tensor) weight.data[3] = Number.NaN;
  rewriteWithChecksum(checkpoint, "model.safetensors", encodeSafetensors(weights, metadata));
}

function withNullEntry(checkpoint: string, tensor: string): void {
  const bytes = readFileSync(join(checkpoint, "model.safetensors"));
  const length = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + length).toString("utf8"));
  header[tensor] = null;
  let text = JSON.stringify(header);
  text += " ".repeat((8 - ((8 + text.length) % 8)) % 8);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(text.length));
  rewriteWithChecksum(
    checkpoint,
    "model.safetensors",
    Buffer.concat([head, Buffer.from(text), bytes.subarray(8 + length)]),
  );
}

const copyOf = (source: string, folder: string, name: string) => {
  const target = join(folder, name);
  cpSync(source, target, { recursive: true });
  return target;
};

const editJson = (file: string, edit: (json: Record<string, unknown>) => unknown) =>
  writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, "utf8")))));

const latestStep = (runFolder: string) => join(runFolder, "checkpoints", "step-000002");

interface BadInput {
  readonly name: string;
  /** Arguments of `ibtpo`; `folder` is this case's own temporary folder, prepared by `prepare`. */
  readonly args: (folder: string) => string[];
  readonly prepare?: (folder: string) => void;
  readonly message: RegExp;
  readonly exitCode?: number;
}

/** A new tiny run of the base checkpoint into `folder/r`, with one more `--set`. */
const newRun = (folder: string, setting: string) => [
  "train",
  "--init",
  base,
  ...TINY_TRAIN,
  "--set",
  setting,
  "--out",
  join(folder, "r"),
];
const trainRun = (folder: string) => ["train", "--out", join(folder, "run"), "--resume", "--quiet"];
const damagedRun = (damage: (runFolder: string) => void) => (folder: string) => damage(copyOf(run, folder, "run"));

const cases: readonly BadInput[] = [
  // train: flags and config, refused before the run folder is created
  {
    name: "train --resume without --out",
    args: () => ["train", "--resume"],
    message: /--resume needs --out <run folder>/,
  },
  {
    name: "train --resume of a missing folder",
    args: (folder) => ["train", "--resume", "--out", join(folder, "absent")],
    message: /--out .*absent: no such run folder to resume/,
  },
  {
    name: "train --resume of a file",
    prepare: (folder) => writeFileSync(join(folder, "file"), "x"),
    args: (folder) => ["train", "--resume", "--out", join(folder, "file")],
    message: /--out .*file: is a file, not a run folder/,
  },
  {
    name: "train --resume of a folder that is not a run",
    prepare: (folder) => mkdirSync(join(folder, "empty")),
    args: (folder) => ["train", "--resume", "--out", join(folder, "empty")],
    message: /--out .*empty: not a run folder \(no config\.json\)/,
  },
  {
    name: "train --out a file",
    prepare: (folder) => writeFileSync(join(folder, "file"), "x"),
    args: (folder) => ["train", "--init", base, ...TINY_TRAIN, "--out", join(folder, "file")],
    message: /--out .*file: .*file is a file, not a folder/,
  },
  {
    name: "train --out under a file",
    prepare: (folder) => writeFileSync(join(folder, "file"), "x"),
    args: (folder) => ["train", "--init", base, ...TINY_TRAIN, "--out", join(folder, "file", "run")],
    message: /--out .*: .*file is a file, so .* cannot be created/,
  },
  {
    name: "train --out a folder of other files",
    prepare: (folder) => {
      mkdirSync(join(folder, "notes"));
      writeFileSync(join(folder, "notes", "thesis.tex"), "precious");
    },
    args: (folder) => ["train", "--init", base, ...TINY_TRAIN, "--out", join(folder, "notes")],
    message: /notes holds other files and is not a run; choose an empty or new folder/,
  },
  {
    name: "train with a budget below one response",
    args: (folder) => newRun(folder, "budget=3"),
    message: /config key "budget": 3 tokens per prompt cannot hold one response of up to \d+ tokens/,
  },
  {
    name: "train with promptsPerStep=1e7",
    args: (folder) => newRun(folder, "promptsPerStep=1e7"),
    message: /config key "promptsPerStep": must be an integer in \[1, 4096\], got 10000000/,
  },
  {
    name: "train with evaluation.problems=1e9",
    args: (folder) => newRun(folder, "evaluation.problems=1000000000"),
    message: /config key "evaluation\.problems": must be an integer in \[1, 20000\]/,
  },
  {
    name: "train --set __proto__.steps=2",
    args: () => ["train", "--set", "__proto__.steps=2"],
    message: /--set __proto__\.steps: "__proto__" is not a config key/,
  },
  {
    name: "train --set constructor.prototype.polluted=1",
    args: () => ["train", "--set", "constructor.prototype.polluted=1"],
    message: /--set constructor\.prototype\.polluted: "constructor" is not a config key/,
  },
  {
    name: "train --set optimizer.prototype=1",
    args: () => ["train", "--set", "optimizer.prototype=1"],
    message: /"prototype" is not a config key/,
  },
  {
    name: "train --set with an empty key part",
    args: () => ["train", "--set", "optimizer..learningRate=1"],
    message: /--set optimizer\.\.learningRate: a config key has no empty parts/,
  },
  {
    name: "train --init of a missing folder",
    args: (folder) => ["train", "--init", join(folder, "absent"), ...TINY_TRAIN, "--quiet", "--out", join(folder, "r")],
    message: /^ibtpo: config key "init" \(--init\): checkpoint folder .*absent does not exist/,
  },
  {
    name: "train --init of a checkpoint with a NaN weight",
    prepare: (folder) => withNaN(copyOf(base, folder, "nan-base"), "token_embedding"),
    args: (folder) => [
      "train",
      "--init",
      join(folder, "nan-base"),
      ...TINY_TRAIN,
      "--quiet",
      "--out",
      join(folder, "r"),
    ],
    message: /nan-base\/model\.safetensors tensor "token_embedding": value 3 is NaN/,
  },
  // train --resume: the run folder is checked before anything in it changes
  {
    name: "resume with latest.json naming a folder outside the run",
    prepare: damagedRun((runFolder) =>
      writeFileSync(join(runFolder, "checkpoints", "latest.json"), '{"step":2,"checkpoint":"../../elsewhere"}'),
    ),
    args: trainRun,
    message: /latest\.json: "checkpoint" is "\.\.\/\.\.\/elsewhere", not a step checkpoint of this run/,
  },
  {
    name: "resume with latest.json whose step disagrees",
    prepare: damagedRun((runFolder) =>
      writeFileSync(join(runFolder, "checkpoints", "latest.json"), '{"step":7,"checkpoint":"step-000002"}'),
    ),
    args: trainRun,
    message: /latest\.json: "step" is 7 but the checkpoint is step-000002/,
  },
  {
    name: "resume with a garbage line inside metrics.jsonl",
    prepare: damagedRun((runFolder) => {
      const lines = readFileSync(join(runFolder, "metrics.jsonl"), "utf8").split("\n");
      writeFileSync(join(runFolder, "metrics.jsonl"), [lines[0], "garbage{", ...lines.slice(1)].join("\n"));
    }),
    args: trainRun,
    message: /metrics\.jsonl:2: not a JSON line of step metrics/,
  },
  {
    name: "resume with a metrics line without a step",
    prepare: damagedRun((runFolder) => {
      const text = readFileSync(join(runFolder, "metrics.jsonl"), "utf8");
      writeFileSync(join(runFolder, "metrics.jsonl"), `{"accuracy":1}\n${text}`);
    }),
    args: trainRun,
    message: /metrics\.jsonl:1: "step" is undefined, not a step number/,
  },
  {
    name: "resume with invalid JSON in the run's config.json",
    prepare: damagedRun((runFolder) => writeFileSync(join(runFolder, "config.json"), "{ steps: 3")),
    args: trainRun,
    message: /run\/config\.json: invalid JSON/,
  },
  {
    name: "resume with a bad value in the run's config.json",
    prepare: damagedRun((runFolder) => editJson(join(runFolder, "config.json"), (json) => ({ ...json, steps: -4 }))),
    args: trainRun,
    message: /run\/config\.json: config key "steps": Too small/,
  },
  {
    name: "resume after config.json was edited",
    prepare: damagedRun((runFolder) => editJson(join(runFolder, "config.json"), (json) => ({ ...json, steps: 9 }))),
    args: trainRun,
    message: /step-000002\/manifest\.json: the checkpoint was saved by a run of another config/,
  },
  {
    name: "resume from a checkpoint of another model size",
    prepare: damagedRun((runFolder) =>
      editJson(join(latestStep(runFolder), "config.json"), (json) => ({ ...json, modelDimension: 32 })),
    ),
    args: trainRun,
    message: /step-000002\/config\.json: modelDimension is 32 but the run's base model has 16/,
  },
  {
    name: "resume from a checkpoint of another task",
    prepare: damagedRun((runFolder) =>
      editJson(join(latestStep(runFolder), "manifest.json"), (json) => ({
        ...json,
        metadata: { ...(json.metadata as object), task: "sort-swaps" },
      })),
    ),
    args: trainRun,
    message: /step-000002\/manifest\.json: metadata\.task is "sort-swaps" but this run's is "countdown"/,
  },
  {
    name: "resume from a checkpoint with a NaN weight",
    prepare: damagedRun((runFolder) => withNaN(latestStep(runFolder), "token_embedding")),
    args: trainRun,
    message: /step-000002\/model\.safetensors tensor "token_embedding": value 3 is NaN/,
  },
  // eval
  {
    name: "eval --seed -1.5",
    args: () => ["eval", base, "--seed", "-1.5"],
    message: /--seed must be an integer in \[0, \d+\], got -1\.5/,
  },
  {
    name: "eval --problems 1e9",
    args: () => ["eval", base, "--problems", "1e9"],
    message: /--problems: must be an integer in \[1, 20000\], got 1000000000/,
  },
  {
    name: "eval --samples 0",
    args: () => ["eval", base, "--samples", "0"],
    message: /--samples must be an integer in \[1, 1024\]/,
  },
  {
    name: "eval --temperature 0",
    args: () => ["eval", base, "--temperature", "0"],
    message: /--temperature must be a finite number > 0, got 0/,
  },
  {
    name: "eval --top-p 0",
    args: () => ["eval", base, "--top-p", "0"],
    message: /--top-p must be a number in \(0, 1\], got 0/,
  },
  {
    name: "eval --top-k -1",
    args: () => ["eval", base, "--top-k", "-1"],
    message: /--top-k must be an integer in \[0, \d+\], got -1/,
  },
  {
    name: "eval --responses into a missing folder",
    args: (folder) => ["eval", base, "--responses", join(folder, "absent", "responses.jsonl")],
    message: /--responses: folder .*absent does not exist; create it first/,
  },
  {
    name: "eval --out into a missing folder",
    args: (folder) => ["eval", base, "--out", join(folder, "absent", "eval.json")],
    message: /--out: folder .*absent does not exist; create it first/,
  },
  {
    name: "eval of a missing checkpoint",
    args: (folder) => ["eval", join(folder, "absent")],
    message: /^ibtpo: the checkpoint argument: checkpoint folder .*absent does not exist \(relative paths start/,
  },
  {
    name: "eval of a checkpoint with a NaN weight",
    prepare: (folder) => withNaN(copyOf(base, folder, "nan"), "token_embedding"),
    args: (folder) => ["eval", join(folder, "nan"), "--problems", "2", "--samples", "2"],
    message: /nan\/model\.safetensors tensor "token_embedding": value 3 is NaN/,
  },
  {
    name: "eval of a checkpoint with a null safetensors entry",
    prepare: (folder) => withNullEntry(copyOf(base, folder, "null"), "token_embedding"),
    args: (folder) => ["eval", join(folder, "null"), "--problems", "2"],
    message: /null\/model\.safetensors tensor "token_embedding": the header entry is null/,
  },
  {
    name: "eval of a checkpoint with invalid JSON in manifest.json",
    prepare: (folder) => writeFileSync(join(copyOf(base, folder, "bad"), "manifest.json"), "{"),
    args: (folder) => ["eval", join(folder, "bad")],
    message: /bad\/manifest\.json: invalid JSON/,
  },
  {
    name: "eval of a run whose latest.json names a folder outside it",
    prepare: damagedRun((runFolder) =>
      writeFileSync(join(runFolder, "checkpoints", "latest.json"), '{"step":1,"checkpoint":"/etc"}'),
    ),
    args: (folder) => ["eval", join(folder, "run")],
    message: /latest\.json: "checkpoint" is "\/etc", not a step checkpoint of this run/,
  },
  {
    name: "eval of a run whose config.json is invalid JSON",
    prepare: damagedRun((runFolder) => writeFileSync(join(runFolder, "config.json"), "[")),
    args: (folder) => ["eval", join(folder, "run")],
    message: /run\/config\.json: invalid JSON/,
  },
  // pretrain
  {
    name: "pretrain --set model.contextLength=2",
    args: (folder) => ["pretrain", ...TINY_PRETRAIN, "--set", "model.contextLength=2", "--out", join(folder, "c")],
    message: /config key "model\.contextLength": 2 tokens cannot hold a prompt and a whole response/,
  },
  {
    name: "pretrain --out a folder of other files",
    prepare: (folder) => {
      mkdirSync(join(folder, "docs"));
      writeFileSync(join(folder, "docs", "a.txt"), "keep");
    },
    args: (folder) => ["pretrain", ...TINY_PRETRAIN, "--out", join(folder, "docs")],
    message: /docs holds other files and is not a checkpoint/,
  },
  // serve
  {
    name: "serve a checkpoint with a NaN weight",
    prepare: (folder) => withNaN(copyOf(base, folder, "nan"), "token_embedding"),
    args: (folder) => ["serve", join(folder, "nan"), "--port", "0", "--backend", "wasm"],
    message: /nan\/model\.safetensors tensor "token_embedding": value 3 is NaN/,
  },
  {
    name: "serve --max-rows-per-request 0",
    args: () => ["serve", base, "--max-rows-per-request", "0"],
    message: /--max-rows-per-request must be an integer >= 1, got 0/,
  },
  {
    name: "serve --request-timeout-ms soon",
    args: () => ["serve", base, "--request-timeout-ms", "soon"],
    message: /--request-timeout-ms must be an integer >= 1, got "soon"/,
  },
];

beforeAll(async () => {
  const pretrained = await runCliAsync(["pretrain", "--task", "countdown", ...TINY_PRETRAIN, "--out", base]);
  expect(pretrained.status).toBe(0);
  const trained = await runCliAsync([
    "train",
    "--algo",
    "grpo",
    "--init",
    base,
    "--steps",
    "2",
    ...TINY_TRAIN,
    "--set",
    "checkpointEvery=1",
    "--set",
    "evaluation.every=0",
    "--quiet",
    "--out",
    run,
  ]);
  expect(trained.status).toBe(0);
});

/** A stack trace line as Node prints one. */
const STACK_LINE = /^\s+at .+[:(]/m;

describe("every bad input to the CLI is one line naming its place", () => {
  it.each(cases)("$name", async ({ args, prepare, message, exitCode }) => {
    const folder = temporaryDirectory("case");
    prepare?.(folder);
    const watched = [folder, base, run];
    const before = watched.map((path) => treeHashes(path));
    const started = Date.now();
    const result = await runCliAsync(args(folder));
    const seconds = (Date.now() - started) / 1000;
    expect(result.status, result.stderr).toBe(exitCode ?? 1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(result.stderr).not.toContain("an unexpected error");
    expect(seconds).toBeLessThan(30);
    expect(watched.map((path) => treeHashes(path))).toEqual(before);
    rmSync(folder, { recursive: true, force: true });
  });

  it("prints a port in use as one line naming the address", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    const result = await runCliAsync(["serve", base, "--port", String(port), "--backend", "wasm"]);
    blocker.close();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`EADDRINUSE.*127\\.0\\.0\\.1:${port}.*pass another --port`));
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});

describe("resuming a run folder that lost its latest.json", () => {
  it("falls back to the newest complete step checkpoint, removes stale temporary folders and files and keeps metrics", async () => {
    const folder = temporaryDirectory("fallback");
    const runFolder = copyOf(run, folder, "run");
    rmSync(join(runFolder, "checkpoints", "latest.json"));
    const stale = join(runFolder, "checkpoints", "step-000003.tmp-999999-1-0");
    mkdirSync(stale);
    writeFileSync(join(stale, "model.safetensors"), "half");
    // A tree file whose write was killed before its rename (writeFileAtomic's temporary sibling).
    const staleTree = join(runFolder, "trees", "step-000003.jsonl.999999.4.tmp");
    mkdirSync(join(runFolder, "trees"), { recursive: true });
    writeFileSync(staleTree, "half");
    const metricsBefore = readFileSync(join(runFolder, "metrics.jsonl"), "utf8");
    const result = await runCliAsync(trainRun(folder));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /latest\.json is missing; resuming from the newest complete checkpoint, .*step-000002/,
    );
    expect(result.stderr).toContain("resuming");
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(staleTree)).toBe(false);
    expect(readFileSync(join(runFolder, "metrics.jsonl"), "utf8")).toBe(metricsBefore);
    rmSync(folder, { recursive: true, force: true });
  });
});
