import { readFile } from "node:fs/promises";
import { BenchHarnessError } from "../errors.js";
import { DEFAULT_SPLIT_FRACTIONS, type SplitFractions, splitOf } from "../splits.js";
import type { Problem, ResponseVerifier, Split } from "../task.js";
import { characterVocabulary } from "../vocabulary.js";
import {
  type AnswerVerifier,
  type AnswerVerifierName,
  normalizedVerification,
  resolveAnswerVerifier,
} from "./answer-verifiers.js";

/** Metadata and provenance of a problem read from a JSONL file. */
export interface DatasetRecord {
  readonly metadata: Readonly<Record<string, unknown>>;
  /** "file:line" where the record was read. */
  readonly source: string;
}

/** A custom dataset: problems with disjoint splits and a verifier. */
export interface Dataset extends ResponseVerifier<DatasetRecord> {
  readonly name: string;
  readonly problems: readonly (Problem<DatasetRecord> & { readonly split: Split })[];
  /** The distinct characters of every prompt and answer, for building a tokenizer. */
  readonly vocabulary: readonly string[];
  split(split: Split): Problem<DatasetRecord>[];
}

export interface DatasetOptions {
  /** A verifier name or a function. Default "exact-match". */
  readonly verifier?: AnswerVerifierName | AnswerVerifier;
  readonly name?: string;
  /** Shares for records without a "split" field. */
  readonly fractions?: SplitFractions;
}

/**
 * A problem in a dataset file, with the place it was found (`location` is `file:line`). A
 * {@link BenchHarnessError}, so `BenchHarnessError.isInstance` recognises it too.
 */
export class DatasetError extends BenchHarnessError {
  override readonly name = "DatasetError";
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(problem, `${file}:${line}`);
  }
}

const SPLITS: readonly Split[] = ["train", "validation", "test"];

/**
 * Parses JSONL text: one object per line with "prompt" and "answer" (strings; a number answer
 * is read as its decimal text), optional "metadata" (an object) and optional "split" ("train",
 * "validation" or "test"; without it the split is decided by a hash of the prompt). Blank lines
 * are skipped. A duplicate prompt is an error, so splits never overlap.
 *
 * @example
 * const dataset = parseJsonlDataset('{"prompt":"2+2=","answer":"4"}\n', "inline.jsonl", { verifier: "numeric" });
 */
export function parseJsonlDataset(text: string, file: string, options: DatasetOptions = {}): Dataset {
  const { verifier = "exact-match", name = file, fractions = DEFAULT_SPLIT_FRACTIONS } = options;
  const check = resolveAnswerVerifier(verifier);
  const problems: (Problem<DatasetRecord> & { split: Split })[] = [];
  const firstLine = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    const fail = (problem: string): never => {
      throw new DatasetError(file, line, problem);
    };
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      fail(`invalid JSON (${(error as Error).message})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) fail("expected a JSON object");
    const record = value as Record<string, unknown>;
    if (typeof record.prompt !== "string" || record.prompt === "") fail('"prompt" must be a non-empty string');
    const answer = typeof record.answer === "number" ? String(record.answer) : record.answer;
    if (typeof answer !== "string") fail('"answer" must be a string or a number');
    const metadata = record.metadata ?? {};
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata))
      fail('"metadata" must be an object');
    const prompt = record.prompt as string;
    const previous = firstLine.get(prompt);
    if (previous !== undefined)
      fail(`duplicate prompt (first seen at ${file}:${previous}); duplicates would leak across splits`);
    firstLine.set(prompt, line);
    let split = splitOf(name, prompt, fractions);
    if (record.split !== undefined) {
      if (!SPLITS.includes(record.split as Split))
        fail(`"split" must be one of ${SPLITS.join(", ")}, got ${JSON.stringify(record.split)}`);
      split = record.split as Split;
    }
    const data: DatasetRecord = { metadata: metadata as Record<string, unknown>, source: `${file}:${line}` };
    problems.push({ id: `${name}:${line}`, prompt, answer: answer as string, data, split });
  });
  if (problems.length === 0) throw new DatasetError(file, 1, "no records (expected one JSON object per line)");
  return {
    name,
    problems,
    vocabulary: characterVocabulary(problems.flatMap((problem) => [problem.prompt, problem.answer])),
    split: (split) => problems.filter((problem) => problem.split === split),
    verify: (problem, response) =>
      normalizedVerification(check(response, problem.answer), `verifier on ${problem.data.source}`),
  };
}

/**
 * Reads a JSONL dataset file; see {@link parseJsonlDataset} for the format. Errors name file:line.
 *
 * @example
 * const dataset = await loadJsonlDataset("data/arith.jsonl", { verifier: "last-line" });
 * dataset.split("test");
 */
export async function loadJsonlDataset(path: string, options: DatasetOptions = {}): Promise<Dataset> {
  return parseJsonlDataset(await readFile(path, "utf8"), path, options);
}
