// Writes schema/train-config.schema.json from the zod config schema; the shipped file is checked
// against the code by src/config/config-json-schema.test.ts.
import { writeFileSync } from "node:fs";
import { trainConfigJsonSchema } from "../src/config/config-json-schema.js";

const path = new URL("../schema/train-config.schema.json", import.meta.url);
writeFileSync(path, `${JSON.stringify(trainConfigJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path.pathname}`);
