import { Command, Option } from "commander";
import { type ExportFormat, exportPolicy } from "../export/export-policy.js";

export function exportCommand(): Command {
  return new Command("export")
    .description(
      "Export a checkpoint for other inference engines: a llama.cpp GGUF file or a Hugging Face GPT-2 folder",
    )
    .argument("<checkpoint>", "checkpoint folder (from ibtpo pretrain or train)")
    .addOption(
      new Option("--format <format>", "gguf: one llama.cpp file; hf: config.json + model.safetensors + tokenizer files")
        .choices(["gguf", "hf"])
        .makeOptionMandatory(),
    )
    .requiredOption("--out <path>", "the GGUF file, or the folder, to write (replaced whole)")
    .addHelpText(
      "after",
      `
The model is written as GPT-2 (the same architecture: pre-LayerNorm, fused q|k|v, tanh GELU,
absolute positions), float32, with the token ids of the checkpoint's tokenizer kept: the end token
and the step delimiter keep their ids, so \`ibtpo sample --eos-token ID --step-delimiter-token ID\`
works against the engine serving it.

Examples:
  ibtpo export checkpoints/countdown-base --format gguf --out countdown.gguf
  llama-server -m countdown.gguf --host 127.0.0.1 --port 8080 -c 40 -np 1
  ibtpo export checkpoints/countdown-base --format hf --out countdown-hf
  vllm serve ./countdown-hf --max-model-len 40`,
    )
    .action(async (checkpoint: string, flags: { format: ExportFormat; out: string }) => {
      const written = await exportPolicy(checkpoint, flags.format, flags.out);
      for (const path of written) console.log(path);
    });
}
