import { z } from "zod";
import { trainConfigSchema } from "./train-config.js";

/**
 * The JSON Schema (draft 2020-12) of a `ibtpo train` config file, generated from the zod schema:
 * the shape a file may have before defaults are filled in, so any language can check a config
 * before running. Shipped as `schema/train-config.schema.json`; `ibtpo config-schema` prints it.
 *
 * @example
 * const schema = trainConfigJsonSchema(); // { $schema, type: "object", properties: { task, ... } }
 */
export function trainConfigJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(trainConfigSchema, { io: "input" }),
    title: "ibtpo train config",
  } as Record<string, unknown>;
}
