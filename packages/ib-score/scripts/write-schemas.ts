// Writes schema/rollout-<format>.schema.json from the code (rolloutFormatJsonSchemas), so other
// languages can validate their rollout files; src/rollout-format-schemas.test.ts checks they match.
import { writeFileSync } from "node:fs";
import { rolloutFormatJsonSchemas } from "../src/rollout-format-schemas.js";
import { rolloutFormats } from "../src/rollout-formats.js";

for (const format of rolloutFormats) {
  const path = new URL(`../schema/rollout-${format}.schema.json`, import.meta.url);
  writeFileSync(path, `${JSON.stringify(rolloutFormatJsonSchemas[format], null, 2)}\n`);
  console.log(`wrote ${path.pathname}`);
}
