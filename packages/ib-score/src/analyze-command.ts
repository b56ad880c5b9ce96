import { once } from "node:events";
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { analysisToJson, analyzeRolloutLines } from "./analyze-lines.js";
import { IbScoreInputError } from "./errors.js";
import { formatAnalysis } from "./format-analysis.js";
import type { PromptReport } from "./rollout-analyzer.js";
import { resolveIbScoreOptions } from "./score-options.js";

const usage = `Usage: ib-score analyze <rollouts.jsonl | -> [options]

Score the exploration/exploitation balance (IB-Score) of rollouts from any RL system.
Each line: {"prompt_id", "tokens", "logprobs", "entropies"?, "step_ends", "reward"}.
Responses with the same prompt_id form one tree (by merging equal step prefixes).

Options:
  --beta B           weight of the information term, IB = H + B * I (default 1)
  --alpha A          pseudo-count of the values in the information term (default 0.5)
  --entropy MODE     token-mean (default) or token-sum: how a step's token entropies combine
  --unsorted         allow a prompt's responses to be spread over the file (holds all trees in memory)
  --json             print one JSON document instead of a table
  --limit N          prompts shown in the table (default 20)
  -h, --help         show this help

Example:
  ib-score analyze rollouts.jsonl --beta 1 --json
`;

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || Number.isNaN(parsed))
    throw new IbScoreInputError(`expected a number, got "${value}"`, `--${name}`);
  return parsed;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * The `ib-score` command line as a function: runs `analyze` on `argv` (the arguments after the
 * program name), writes to stdout/stderr and returns the exit code. Errors in the input reject
 * with an {@link IbScoreInputError}; the caller prints them.
 *
 * @example
 * process.exitCode = await runIbScoreCommand(["analyze", "rollouts.jsonl", "--json"]);
 */
export async function runIbScoreCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      beta: { type: "string" },
      alpha: { type: "string" },
      entropy: { type: "string" },
      unsorted: { type: "boolean" },
      json: { type: "boolean" },
      limit: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(usage);
    return values.help ? 0 : 2;
  }
  const [command, file, ...extra] = positionals;
  if (command !== "analyze" || file === undefined || extra.length > 0) {
    process.stderr.write(`ib-score: expected "analyze <file>", got "${positionals.join(" ")}"\n\n${usage}`);
    return 2;
  }
  const options = resolveIbScoreOptions({
    ...optional("beta", numberOption(values.beta, "beta")),
    ...optional("alpha", numberOption(values.alpha, "alpha")),
    ...optional("entropy", values.entropy as "token-mean" | "token-sum" | undefined),
  });
  const limit = numberOption(values.limit, "limit") ?? 20;
  const input = file === "-" ? process.stdin : createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const source = file === "-" ? "<stdin>" : file;
  const unsorted = values.unsorted ?? false;

  if (!values.json) {
    // The table shows `limit` prompts: keep only those, so memory does not grow with the input.
    const shown: PromptReport[] = [];
    let count = 0;
    const onPrompt = (report: PromptReport) => {
      if (count++ < limit) shown.push(report);
    };
    const analysis = await analyzeRolloutLines(lines, source, { ...options, unsorted, onPrompt });
    process.stdout.write(formatAnalysis({ summary: analysis.summary, prompts: shown }, limit, count));
    return 0;
  }
  // Per-prompt reports go to a scratch file while the input streams, and are copied to stdout
  // only once the whole input has been read without error: nothing is printed as a result
  // before it is known to be one, and memory stays flat however many prompts there are.
  const scratch = mkdtempSync(join(tmpdir(), "ib-score-"));
  try {
    const reportsPath = join(scratch, "prompts.json");
    const reports = openSync(reportsPath, "w");
    let pending = "";
    let reportsWritten = 0;
    // Synchronous, batched writes: the scratch file keeps pace with the input, so reports never
    // pile up in memory waiting for a stream to drain.
    const onPrompt = (report: PromptReport) => {
      pending += `${pending === "" && reportsWritten === 0 ? "" : ","}${JSON.stringify(report)}`;
      reportsWritten++;
      if (pending.length >= 1 << 16) {
        writeSync(reports, pending);
        pending = "";
      }
    };
    const analysis = await analyzeRolloutLines(lines, source, { ...options, unsorted, onPrompt });
    writeSync(reports, pending);
    closeSync(reports);
    const document = JSON.stringify(analysisToJson(analysis));
    process.stdout.write(`${document.slice(0, -"[]}".length)}[`);
    for await (const chunk of createReadStream(reportsPath)) {
      if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
    }
    process.stdout.write("]}\n");
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
