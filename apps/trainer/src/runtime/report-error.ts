import { BenchHarnessError } from "@ibtpo/bench-harness";
import { IbScoreInputError } from "@ibtpo/ib-score";
import { PolicyHttpError } from "@ibtpo/policy-http";
import { PolicyTfjsError } from "@ibtpo/policy-tfjs";
import { RandomError } from "@ibtpo/random";
import { TpoLossInputError } from "@ibtpo/tpo-loss";
import { TreeSamplerError } from "@ibtpo/tree-sampler";
import { ConfigError } from "../config/config-error.js";
import { OpenAIRequestError } from "../serve/openai-error.js";
import { Progress } from "./progress.js";

/** What a Node system error's code means for a user, where the bare code says little. */
const SYSTEM_HINTS: Readonly<Record<string, string>> = {
  EADDRINUSE: "another process uses this port; pass another --port (0 picks a free one)",
  EACCES: "permission denied",
  ENOENT: "no such file or folder",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "is a folder, not a file",
  ENOSPC: "the disk is full",
};

/** A Node system error (`ENOENT`, `EADDRINUSE`...): its message already names the path or address. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string";
}

/**
 * The error types whose message is written for a user (it names the file, key, tensor or place):
 * the user sees the message alone. Each is recognised by its `isInstance` marker, which works
 * across installed copies of a package.
 */
const USER_FACING_ERRORS = [
  ConfigError,
  OpenAIRequestError,
  BenchHarnessError,
  IbScoreInputError,
  PolicyHttpError,
  PolicyTfjsError,
  RandomError,
  TpoLossInputError,
  TreeSamplerError,
] as const;

/** True for an error of one of {@link USER_FACING_ERRORS}. */
export function isUserFacingError(error: unknown): error is Error {
  return USER_FACING_ERRORS.some((type) => type.isInstance(error));
}

/** One line for a user. */
export function errorLine(error: unknown): string {
  if (isSystemError(error)) {
    const hint = SYSTEM_HINTS[error.code as string];
    const message = error.message.split("\n")[0] as string;
    return hint === undefined || message.includes(hint) ? message : `${message} (${hint})`;
  }
  if (isUserFacingError(error)) return error.message;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `${message.split("\n")[0]} (an unexpected error; run again with --debug for its stack trace)`;
}

/**
 * The one error printer of every command: stop progress bars, then print a known error or a Node
 * system error as its message (it names the path, key or tensor) and anything else as one line,
 * with its stack trace only when `debug` is set. Returns the exit code.
 *
 * @example
 * process.exitCode = reportError(error, { debug: argv.includes("--debug") });
 */
export function reportError(error: unknown, options: { readonly debug?: boolean } = {}): number {
  Progress.stopAll();
  const stack = error instanceof Error ? error.stack : undefined;
  const detail = options.debug && stack !== undefined ? `\n${stack}` : "";
  process.stderr.write(`ibtpo: ${errorLine(error)}${detail}\n`);
  return 1;
}
