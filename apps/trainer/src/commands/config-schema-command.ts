import { Command } from "commander";
import { trainConfigJsonSchema } from "../config/config-json-schema.js";
import { writeFileAtomic } from "../runtime/atomic-file.js";

export function configSchemaCommand(): Command {
  return new Command("config-schema")
    .description("print the JSON Schema of a train config file (YAML or JSON), generated from the config schema")
    .option("--out <file>", "write it here (atomically) instead of stdout")
    .addHelpText(
      "after",
      `
The same document ships as @ibtpo/trainer/schema/train-config.schema.json.

Examples:
  ibtpo config-schema > train-config.schema.json
  ibtpo config-schema --out train-config.schema.json`,
    )
    .action(async (flags: { out?: string }) => {
      const text = `${JSON.stringify(trainConfigJsonSchema(), null, 2)}\n`;
      if (flags.out === undefined) process.stdout.write(text);
      else await writeFileAtomic(flags.out, text);
    });
}
