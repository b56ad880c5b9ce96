#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { analyzeCommand } from "./commands/analyze-command.js";
import { compareCommand } from "./commands/compare-command.js";
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
  .showHelpAfterError()
  .exitOverride()
  .addCommand(pretrainCommand())
  .addCommand(trainCommand())
  .addCommand(evalCommand())
  .addCommand(analyzeCommand())
  .addCommand(compareCommand())
  .addCommand(reportCommand())
  .addCommand(serveCommand())
  .addCommand(sampleCommand())
  .addCommand(exportCommand());

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
    return;
  }
  process.exitCode = reportError(error);
});
