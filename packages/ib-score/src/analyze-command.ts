import { once } from "node:events";
import {
  closeSync,
  createReadStream,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { analysisToJson, analyzeRolloutLines, summaryToJson } from "./analyze-lines.js";
import { IbScoreInputError } from "./errors.js";
import { formatAnalysis } from "./format-analysis.js";
import { readUtf8Lines } from "./read-lines.js";
import type { ReasoningTree } from "./reasoning-tree.js";
import type { PromptReport } from "./rollout-analyzer.js";
import { checkRolloutFormat, RolloutLineReader } from "./rollout-formats.js";
import { type IbScoreEstimator, resolveIbScoreOptions } from "./score-options.js";
import type { TreeScore } from "./score-tree.js";
import type { StepProbabilityMode } from "./step-probability.js";
import { treeViewerHtml, type ViewerPrompt, viewerPrompt } from "./tree-viewer.js";

const usage = `Usage: ib-score analyze <rollouts.jsonl | -> [options]

Score the exploration/exploitation balance (IB-Score) of rollouts from any RL system.
One response per line; responses with the same prompt id form one tree (by merging equal step
prefixes). Formats (detected from the first line unless --format is given):
  tokens  {"prompt_id": "q1", "tokens": [5, 6, 7], "logprobs": [-0.1, -0.4, -0.2],
           "entropies": [0.3, 0.9, 0.5], "step_ends": [2, 3], "reward": 1}
  openai  {"prompt_id": "q1", "reward": 1, "text": "2+2=4\\nAnswer: 4", "finish_reason": "stop",
           "logprobs": {"tokens": ["2+2", "=4\\n", "Answer: 4"], "token_logprobs": [-0.1, -0.4, -0.2]}}
  text    {"input": "What is 2+2?", "output": "2+2=4\\nAnswer: 4", "score": 1}
          with --format text --prompt-key input --response-key output --reward-key score
openai and text steps end after each occurrence of the step delimiter. Without log-probs (text),
the paper IB-Score, Cov, confidence and H are null; the tree, values, Eff-Rate, Avg-Rate and I
are still computed.

Options:
  --format F         tokens, openai or text (default: detected from the first line)
  --step-delimiter S openai/text: a step ends after a token or text containing S (default "\\n";
                     escapes \\n \\t \\r \\\\ are read; the paper cuts at a blank line, "\\n\\n")
  --prompt-key K     field of the prompt id (default prompt_id)
  --response-key K   text: field of the response text (default response)
  --reward-key K     field of the reward in [0, 1] (default reward)
  --estimator E      paper (default): J = (1 + beta) E[eta1 eta2], eta1 = v(c)/v(n) - 1 - 1/beta,
                     eta2 = pi(c), beside Cov(eta1, eta2) and the mean confidence (docs/METHOD.md 3.1);
                     shannon: H + beta * I (docs/METHOD.md 3.2)
  --beta B           the trade-off beta (default 5 for paper, 1 for shannon)
  --step-probability M  geometric (default): pi(c) = exp(mean token log-prob); product: exp(sum)
  --alpha A          pseudo-count of the values in the Shannon information term (default 0.5)
  --entropy MODE     token-mean (default) or token-sum: how a step's token entropies combine
  --unsorted         allow a prompt's responses to be spread over the file (holds all trees in memory)
  --json             print one JSON document instead of a table
  --html FILE        also write a self-contained page drawing each prompt's tree (holds every
                     tree's nodes in memory)
  --limit N          prompts shown in the table (default 20)
  -h, --help         show this help

Examples:
  ib-score analyze examples/rollouts.sample.jsonl --json
  ib-score analyze examples/rollouts.openai.jsonl --step-delimiter '\\n\\n'
  ib-score analyze examples/rollouts.verl-text.jsonl --prompt-key input --response-key output --reward-key score
  ib-score analyze examples/rollouts.sample.jsonl --html tree.html
`;

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || Number.isNaN(parsed))
    throw new IbScoreInputError(`expected a number, got "${value}"`, `--${name}`);
  return parsed;
}

/** A flag value with the escapes \\n, \\t, \\r and \\\\ read, so a shell user can type --step-delimiter '\\n\\n'. */
function readEscapes(value: string): string {
  return value.replace(/\\([ntr\\])/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r", "\\": "\\" })[c] as string);
}

/** Write through a temporary file beside the target, so a reader never sees half a page. */
function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
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
      format: { type: "string" },
      "step-delimiter": { type: "string" },
      "prompt-key": { type: "string" },
      "response-key": { type: "string" },
      "reward-key": { type: "string" },
      estimator: { type: "string" },
      "step-probability": { type: "string" },
      beta: { type: "string" },
      alpha: { type: "string" },
      entropy: { type: "string" },
      unsorted: { type: "boolean" },
      json: { type: "boolean" },
      html: { type: "string" },
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
    ...optional("estimator", values.estimator as IbScoreEstimator | undefined),
    ...optional("stepProbability", values["step-probability"] as StepProbabilityMode | undefined),
    ...optional("beta", numberOption(values.beta, "beta")),
    ...optional("alpha", numberOption(values.alpha, "alpha")),
    ...optional("entropy", values.entropy as "token-mean" | "token-sum" | undefined),
  });
  const limit = numberOption(values.limit, "limit") ?? 20;
  const reader = new RolloutLineReader({
    ...optional("format", values.format === undefined ? undefined : checkRolloutFormat(values.format, "--format")),
    ...optional(
      "stepDelimiter",
      values["step-delimiter"] === undefined ? undefined : readEscapes(values["step-delimiter"]),
    ),
    ...optional("promptKey", values["prompt-key"]),
    ...optional("responseKey", values["response-key"]),
    ...optional("rewardKey", values["reward-key"]),
  });
  const source = file === "-" ? "<stdin>" : file;
  const lines = readUtf8Lines(file === "-" ? process.stdin : createReadStream(file), source);
  const unsorted = values.unsorted ?? false;
  const viewerPrompts: ViewerPrompt[] = [];
  const onTree =
    values.html === undefined
      ? undefined
      : (tree: ReasoningTree, score: TreeScore, report: PromptReport) => {
          viewerPrompts.push(viewerPrompt(tree, score, report, (id) => reader.textOf(id)));
        };
  // Runs the analysis, handing each prompt's report to `onPrompt`, and writes the viewer page if asked.
  const analyze = async (onPrompt: (report: PromptReport) => void) => {
    const analysis = await analyzeRolloutLines(lines, source, {
      ...options,
      unsorted,
      onPrompt,
      ...optional("onTree", onTree),
      reader,
    });
    if (values.html !== undefined) {
      writeFileAtomic(values.html, treeViewerHtml(summaryToJson(analysis.summary, reader.format), viewerPrompts));
    }
    return analysis;
  };

  if (!values.json) {
    // The table shows `limit` prompts: keep only those, so memory does not grow with the input.
    const shown: PromptReport[] = [];
    let count = 0;
    const onPrompt = (report: PromptReport) => {
      if (count++ < limit) shown.push(report);
    };
    const analysis = await analyze(onPrompt);
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
    const analysis = await analyze(onPrompt);
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
