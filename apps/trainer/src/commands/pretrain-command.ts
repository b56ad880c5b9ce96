import { Command } from "commander";
import { flagOverrides, numberFlag, parseSetFlags } from "../config/flag-overrides.js";
import { loadConfig } from "../config/load-config.js";
import { precheckPretrain } from "../config/precheck-pretrain.js";
import { pretrainConfigSchema } from "../config/pretrain-config.js";
import { pretrain } from "../pretrain/pretrain.js";

export function pretrainCommand(): Command {
  return new Command("pretrain")
    .description("SFT warm-up: train a fresh policy on a task's random legal trajectories and save a base checkpoint")
    .option("-c, --config <file>", "YAML or JSON config file")
    .option("--task <name>", "countdown | graph-path | sort-swaps")
    .option("--steps <n>", "optimizer steps", numberFlag)
    .option("--seed <n>", "random seed", numberFlag)
    .option("--backend <name>", "auto | node-gpu | node | wasm | cpu")
    .option("-o, --out <dir>", "checkpoint folder (default checkpoints/<task>-base)")
    .option("--set <key=value...>", "any config key, e.g. --set model.layers=4", [])
    .addHelpText(
      "after",
      `
Examples:
  ibtpo pretrain --task countdown --steps 1500 --out checkpoints/countdown-base
  ibtpo pretrain --config pretrain.yaml --set model.modelDimension=128`,
    )
    .action(async (flags) => {
      const config = await loadConfig(pretrainConfigSchema, flags.config, [
        ...flagOverrides(flags, { task: "task", steps: "steps", seed: "seed", backend: "backend", out: "out" }),
        ...parseSetFlags(flags.set),
      ]);
      const out = config.out ?? `checkpoints/${config.task}-base`;
      precheckPretrain(config, out);
      const result = await pretrain(config, out, (line) => console.error(line));
      console.log(`checkpoint written to ${result.checkpoint}`);
    });
}
