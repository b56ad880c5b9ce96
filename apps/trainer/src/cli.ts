#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { advantagesCommand } from "./commands/advantages-command.js";
import { analyzeCommand } from "./commands/analyze-command.js";
import { compareCommand } from "./commands/compare-command.js";
import { configSchemaCommand } from "./commands/config-schema-command.js";
import { evalCommand } from "./commands/eval-command.js";
import { exportCommand } from "./commands/export-command.js";
import { pretrainCommand } from "./commands/pretrain-command.js";
import { reportCommand } from "./commands/report-command.js";
import { sampleCommand } from "./commands/sample-command.js";
import { serveCommand } from "./commands/serve-command.js";
import { trainCommand } from "./commands/train-command.js";
import { reportError } from "./runtime/report-error.js";

const program = new Command("ibtpo")
  .description("IB-TPO: train, evaluate and compare RL methods for language-model reasoning")
  .version("0.1.0")
  .option("--debug", "print the stack trace of unexpected errors")
  .showHelpAfterError()
  .exitOverride()
  .addCommand(pretrainCommand())
  .addCommand(trainCommand())
  .addCommand(evalCommand())
  .addCommand(analyzeCommand())
  .addCommand(advantagesCommand())
  .addCommand(compareCommand())
  .addCommand(reportCommand())
  .addCommand(serveCommand())
  .addCommand(sampleCommand())
  .addCommand(configSchemaCommand())
  .addCommand(exportCommand());

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
    return;
  }
  process.exitCode = reportError(error, {
    debug: program.opts().debug === true || process.argv.includes("--debug") || process.env.IBTPO_DEBUG === "1",
  });
  // Whatever the failed command left running (a worker, a socket, a timer) must not keep the
  // process alive: its files are written atomically, so leaving now loses nothing.
  setTimeout(() => process.exit(), 500).unref();
});
