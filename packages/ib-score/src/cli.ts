#!/usr/bin/env node
import { runIbScoreCommand } from "./analyze-command.js";
import { IbScoreInputError } from "./errors.js";

runIbScoreCommand(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const known = IbScoreInputError.isInstance(error) || (error as { code?: string }).code !== undefined;
    process.stderr.write(`ib-score: ${known ? message : ((error as Error).stack ?? message)}\n`);
    process.exitCode = 1;
  },
);
