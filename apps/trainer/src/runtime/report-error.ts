import { BenchHarnessError } from "@ibtpo/bench-harness";
import { IbScoreInputError } from "@ibtpo/ib-score";
import { PolicyHttpError } from "@ibtpo/policy-http";
import { PolicyTfjsError } from "@ibtpo/policy-tfjs";
import { RandomError } from "@ibtpo/random";
import { TpoLossInputError } from "@ibtpo/tpo-loss";
import { TreeSamplerError } from "@ibtpo/tree-sampler";
import { ConfigError } from "../config/config-error.js";

/**
 * The error types whose message already says what was wrong and where: the user sees the message
 * alone. Anything else is a bug and is printed with its stack.
 */
const USER_FACING_ERRORS = [
  ConfigError,
  BenchHarnessError,
  IbScoreInputError,
  PolicyHttpError,
  PolicyTfjsError,
  RandomError,
  TpoLossInputError,
  TreeSamplerError,
] as const;

/** True for an error that names its own cause and place (see {@link USER_FACING_ERRORS}). */
export function isUserFacingError(error: unknown): boolean {
  return USER_FACING_ERRORS.some((type) => type.isInstance(error));
}

/** Print a failure for a user (message only for known input errors) and return the exit code. */
export function reportError(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  const known = isUserFacingError(error);
  process.stderr.write(`ibtpo: ${known ? message : ((error as Error).stack ?? message)}\n`);
  return 1;
}
