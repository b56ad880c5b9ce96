import { IbScoreInputError } from "@ibtpo/ib-score";
import { ConfigError } from "../config/config-error.js";

/** Print a failure for a user (message only for known input errors) and return the exit code. */
export function reportError(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  const known =
    ConfigError.isInstance(error) ||
    IbScoreInputError.isInstance(error) ||
    (error instanceof Error && /Error$/.test(error.name) && error.name !== "Error" && error.name !== "TypeError");
  process.stderr.write(`ibtpo: ${known ? message : ((error as Error).stack ?? message)}\n`);
  return 1;
}
