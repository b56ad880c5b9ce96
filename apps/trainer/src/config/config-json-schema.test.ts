import { readFileSync } from "node:fs";
import { checkJsonSchema } from "@ibtpo/ib-score";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { trainConfigJsonSchema } from "./config-json-schema.js";
import { trainConfigSchema } from "./train-config.js";

const repository = new URL("../../../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, repository), "utf8");

describe("the train config JSON Schema", () => {
  const schema = trainConfigJsonSchema();

  it("is shipped as the file scripts/write-schema.ts writes", () => {
    expect(JSON.parse(read("apps/trainer/schema/train-config.schema.json"))).toEqual(schema);
  });

  it("accepts the config files in the repository, which the zod schema accepts too", () => {
    for (const path of ["examples/train.ib-tpo.yaml", "experiments/main.yaml"]) {
      const config = parse(read(path)) as unknown;
      expect(checkJsonSchema(config, schema), path).toEqual([]);
      expect(trainConfigSchema.safeParse(config).success, path).toBe(true);
    }
  });

  it("rejects what the zod schema rejects: an unknown key, a bad choice, a wrong type", () => {
    const bad = [{ beta: 0.04 }, { algorithm: "ppo" }, { loss: { clipLow: "wide" } }, { steps: 0 }];
    for (const config of bad) {
      expect(checkJsonSchema(config, schema), JSON.stringify(config)).not.toEqual([]);
      expect(trainConfigSchema.safeParse(config).success).toBe(false);
    }
  });
});
