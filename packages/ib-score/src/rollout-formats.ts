import { checkChoice } from "./check-choice.js";
import { IbScoreInputError } from "./errors.js";
import type { RolloutRecord } from "./rollout-record.js";

/**
 * The rollout line formats `ib-score analyze` reads (one response per JSONL line):
 * - 'tokens': this project's format, `{prompt_id, tokens, logprobs, entropies?, step_ends, reward, truncated?, reused_steps?}`;
 * - 'openai': one OpenAI/vLLM completions `choices[]` entry (`text`, `logprobs.tokens`,
 *   `logprobs.token_logprobs`, `finish_reason`) with `prompt_id` and `reward` beside its fields;
 * - 'text': text-only dumps (verl style), `{prompt, response, reward}` under configurable keys.
 * Each format may carry {@link reusedStepsKey}.
 */
export const rolloutFormats = ["tokens", "openai", "text"] as const;

/** One of {@link rolloutFormats}. */
export type RolloutFormat = (typeof rolloutFormats)[number];

export interface RolloutFormatOptions {
  /** The line format; detected from the first line when absent. */
  readonly format?: RolloutFormat;
  /** 'openai' and 'text': a step ends after the token (or text) containing this string. Default a newline. */
  readonly stepDelimiter?: string;
  /** Field holding the prompt id (a string or an integer). Default 'prompt_id'. */
  readonly promptKey?: string;
  /** 'text': field holding the response text. Default 'response'. */
  readonly responseKey?: string;
  /** Field holding the reward in [0, 1]. Default 'reward'. */
  readonly rewardKey?: string;
}

/**
 * The optional field, in every format, giving how many leading steps of a response were not drawn
 * again but continued from an earlier line of the same prompt (a tree sampler's branch reuses the
 * prefix it forked from). Absent means 0: every step was drawn. See `ResponseInput.reusedSteps`.
 */
export const reusedStepsKey = "reused_steps";

/** Defaults of {@link RolloutFormatOptions} (the format itself is detected). */
export const defaultRolloutFormatOptions = {
  stepDelimiter: "\n",
  promptKey: "prompt_id",
  responseKey: "response",
  rewardKey: "reward",
} as const satisfies Required<Omit<RolloutFormatOptions, "format">>;

/** Throw a clear error unless `format` is one of {@link rolloutFormats}. */
export function checkRolloutFormat(format: unknown, location = "option format"): RolloutFormat {
  return checkChoice(format, rolloutFormats, "format", location);
}

/** Parse one line as a JSON object; errors name `location`. */
function parseJsonObject(line: string, location: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new IbScoreInputError(`invalid JSON (${(error as Error).message})`, location);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new IbScoreInputError("expected a JSON object", location);
  }
  return value as Record<string, unknown>;
}

/** A number array field; errors name the field and the bad index. */
function numberArray(value: unknown, field: string, location: string): number[] {
  if (!Array.isArray(value)) throw new IbScoreInputError(`${field} must be an array of numbers`, location);
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "number") {
      throw new IbScoreInputError(`${field}[${i}] must be a number, got ${JSON.stringify(value[i])}`, location);
    }
  }
  return value as number[];
}

/** The prompt id under `key`: a string, or an integer written as a string. */
function promptIdField(record: Record<string, unknown>, key: string, location: string): string {
  const value = record[key];
  if (typeof value === "string") return value;
  if (Number.isInteger(value)) return String(value);
  throw new IbScoreInputError(
    `${key} must be a string or an integer, got ${JSON.stringify(value) ?? "nothing"}`,
    location,
  );
}

/** The reward under `key`: a number in [0, 1]. */
function rewardField(record: Record<string, unknown>, key: string, location: string): number {
  const reward = record[key];
  if (typeof reward !== "number" || !(reward >= 0 && reward <= 1)) {
    throw new IbScoreInputError(
      `${key} must be a number in [0, 1], got ${JSON.stringify(reward) ?? "nothing"}`,
      location,
    );
  }
  return reward;
}

/** The reused step count under {@link reusedStepsKey}: a non-negative integer, 0 when absent. */
function reusedStepsField(record: Record<string, unknown>, location: string): number {
  const value = record[reusedStepsKey];
  if (value === undefined) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new IbScoreInputError(
      `${reusedStepsKey} must be a non-negative integer (leading steps continued from an earlier line), got ${JSON.stringify(value)}`,
      location,
    );
  }
  return value;
}

/** Cut `text` into steps, each ending just after an occurrence of `delimiter`; the rest is the last step. */
export function cutTextIntoSteps(text: string, delimiter: string): string[] {
  const steps: string[] = [];
  let start = 0;
  for (let at = text.indexOf(delimiter); at !== -1; at = text.indexOf(delimiter, start)) {
    steps.push(text.slice(start, at + delimiter.length));
    start = at + delimiter.length;
  }
  if (start < text.length) steps.push(text.slice(start));
  return steps;
}

/** Guess the format of a parsed line; null when it fits none. */
export function detectRolloutFormat(
  record: Record<string, unknown>,
  responseKey: string = defaultRolloutFormatOptions.responseKey,
): RolloutFormat | null {
  if (Array.isArray(record.tokens) && "step_ends" in record) return "tokens";
  const logprobs = record.logprobs;
  const hasLogprobObject = typeof logprobs === "object" && logprobs !== null && !Array.isArray(logprobs);
  if (hasLogprobObject || (typeof record.text === "string" && "finish_reason" in record)) return "openai";
  if (typeof record[responseKey] === "string") return "text";
  if (typeof record.text === "string") return "openai";
  return null;
}

/**
 * Reads rollout lines of one format into {@link RolloutRecord}s. Token strings (openai) and step
 * texts (text) are interned to integer ids, so equal texts become equal tokens and merge in the
 * prefix tree; {@link textOf} maps an id back. Without log-probs, a record's `logprobs` is null.
 *
 * @example
 * const reader = new RolloutLineReader({ format: "text", promptKey: "input", responseKey: "output", rewardKey: "score" });
 * const record = reader.parse('{"input": "2+2?", "output": "4\\n", "score": 1}', "f.jsonl:1");
 */
export class RolloutLineReader {
  private detected: RolloutFormat | null;
  private readonly delimiter: string;
  private readonly promptKey: string;
  private readonly responseKey: string;
  private readonly rewardKey: string;
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];

  constructor(options: RolloutFormatOptions = {}) {
    this.detected = options.format === undefined ? null : checkRolloutFormat(options.format);
    this.delimiter = options.stepDelimiter ?? defaultRolloutFormatOptions.stepDelimiter;
    if (this.delimiter === "")
      throw new IbScoreInputError("the step delimiter must not be empty", "option stepDelimiter");
    this.promptKey = options.promptKey ?? defaultRolloutFormatOptions.promptKey;
    this.responseKey = options.responseKey ?? defaultRolloutFormatOptions.responseKey;
    this.rewardKey = options.rewardKey ?? defaultRolloutFormatOptions.rewardKey;
  }

  /** The format in use: given, or detected from the first line parsed; null before that. */
  get format(): RolloutFormat | null {
    return this.detected;
  }

  /** The text of an interned token (openai) or step (text); undefined for the tokens format. */
  textOf(id: number): string | undefined {
    return this.texts[id];
  }

  parse(line: string, location: string): RolloutRecord {
    const record = parseJsonObject(line, location);
    if (this.detected === null) {
      this.detected = detectRolloutFormat(record, this.responseKey);
      if (this.detected === null) {
        throw new IbScoreInputError(
          `cannot tell the format of this line: expected "tokens" and "step_ends" (--format tokens), an OpenAI completion choice with "text" and "logprobs" (--format openai), or a "${this.responseKey}" text (--format text, --response-key)`,
          location,
        );
      }
    }
    const promptId = promptIdField(record, this.promptKey, location);
    const reward = rewardField(record, this.rewardKey, location);
    const reusedSteps = reusedStepsField(record, location);
    switch (this.detected) {
      case "tokens":
        return { promptId, reward, reusedSteps, ...tokensFields(record, location) };
      case "openai":
        return { promptId, reward, reusedSteps, ...this.openaiFields(record, location) };
      case "text":
        return {
          promptId,
          reward,
          reusedSteps,
          ...this.textFields(record[this.responseKey], this.responseKey, location),
        };
    }
  }

  private intern(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(text, id);
      this.texts.push(text);
    }
    return id;
  }

  private textFields(response: unknown, key: string, location: string) {
    if (typeof response !== "string") throw new IbScoreInputError(`${key} must be a string`, location);
    if (response === "") throw new IbScoreInputError(`${key} is empty: a response needs at least one step`, location);
    const tokens = cutTextIntoSteps(response, this.delimiter).map((step) => this.intern(step));
    return { tokens, logprobs: null, entropies: null, stepEnds: tokens.map((_, i) => i + 1), truncated: false };
  }

  private openaiFields(record: Record<string, unknown>, location: string) {
    const truncated = record.finish_reason === "length";
    const logprobs = record.logprobs;
    if (logprobs === undefined || logprobs === null) {
      return { ...this.textFields(record.text, "text", location), truncated };
    }
    if (typeof logprobs !== "object" || Array.isArray(logprobs)) {
      throw new IbScoreInputError("logprobs must be an object with tokens and token_logprobs, or null", location);
    }
    const { tokens: tokenTexts, token_logprobs: tokenLogprobs } = logprobs as Record<string, unknown>;
    if (!Array.isArray(tokenTexts) || tokenTexts.some((token) => typeof token !== "string")) {
      throw new IbScoreInputError("logprobs.tokens must be an array of strings", location);
    }
    if (tokenTexts.length === 0) {
      throw new IbScoreInputError("logprobs.tokens is empty: a response needs at least one token", location);
    }
    const values = numberArray(tokenLogprobs, "logprobs.token_logprobs", location);
    if (values.length !== tokenTexts.length) {
      throw new IbScoreInputError(
        `logprobs.token_logprobs has length ${values.length}, logprobs.tokens has length ${tokenTexts.length}`,
        location,
      );
    }
    const stepEnds: number[] = [];
    const tokens = (tokenTexts as string[]).map((text, i) => {
      if (text.includes(this.delimiter) && i + 1 < tokenTexts.length) stepEnds.push(i + 1);
      return this.intern(text);
    });
    stepEnds.push(tokens.length);
    return { tokens, logprobs: values, entropies: null, stepEnds, truncated };
  }
}

function tokensFields(record: Record<string, unknown>, location: string) {
  const tokens = numberArray(record.tokens, "tokens", location);
  const logprobs = numberArray(record.logprobs, "logprobs", location);
  const stepEnds = numberArray(record.step_ends, "step_ends", location);
  const entropies =
    record.entropies === undefined || record.entropies === null
      ? null
      : numberArray(record.entropies, "entropies", location);
  const truncated = record.truncated;
  if (truncated !== undefined && typeof truncated !== "boolean") {
    throw new IbScoreInputError("truncated must be a boolean when present", location);
  }
  return { tokens, logprobs, entropies, stepEnds, truncated: truncated === true };
}
