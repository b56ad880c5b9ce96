import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkJsonSchema } from "./json-schema-check.js";
import { rolloutFormatJsonSchema, rolloutFormatJsonSchemas } from "./rollout-format-schemas.js";
import { type RolloutFormat, RolloutLineReader, rolloutFormats } from "./rollout-formats.js";

const file = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");
const linesOf = (path: string) => file(path).trim().split("\n");
const verlKeys = { promptKey: "input", responseKey: "output", rewardKey: "score" } as const;

describe("rollout format JSON Schemas", () => {
  it("are shipped as the files scripts/write-schemas.ts writes", () => {
    for (const format of rolloutFormats) {
      expect(JSON.parse(file(`packages/ib-score/schema/rollout-${format}.schema.json`))).toEqual(
        rolloutFormatJsonSchemas[format],
      );
    }
  });

  it("accept every line of the example files", () => {
    const examples: [string, RolloutFormat, object][] = [
      ["examples/rollouts.sample.jsonl", "tokens", {}],
      ["examples/rollouts.openai.jsonl", "openai", {}],
      ["examples/rollouts.verl-text.jsonl", "text", verlKeys],
    ];
    for (const [path, format, keys] of examples) {
      const schema = rolloutFormatJsonSchema(format, keys);
      linesOf(path).forEach((line, index) => {
        expect(checkJsonSchema(JSON.parse(line), schema), `${path}:${index + 1}`).toEqual([]);
      });
    }
  });

  // Each line breaks one field rule; the reader and the schema must both reject it.
  const bad: [RolloutFormat, Record<string, unknown>][] = [
    ["tokens", { tokens: [1], logprobs: [-0.1], step_ends: [1], reward: 1 }],
    ["tokens", { prompt_id: 1.5, tokens: [1], logprobs: [-0.1], step_ends: [1], reward: 1 }],
    ["tokens", { prompt_id: "a", tokens: [1], logprobs: [-0.1], step_ends: [1], reward: 2 }],
    ["tokens", { prompt_id: "a", tokens: ["x"], logprobs: [-0.1], step_ends: [1], reward: 1 }],
    ["tokens", { prompt_id: "a", tokens: [1], logprobs: [0.5], step_ends: [1], reward: 1 }],
    ["tokens", { prompt_id: "a", tokens: [1], logprobs: [-0.1], step_ends: [1], reward: 1, truncated: "no" }],
    ["openai", { prompt_id: "a", reward: 1, logprobs: { tokens: [], token_logprobs: [] } }],
    ["openai", { prompt_id: "a", reward: 1, logprobs: { tokens: [3], token_logprobs: [-1] } }],
    ["openai", { prompt_id: "a", reward: 1, logprobs: null, text: "" }],
    ["text", { prompt_id: "a", response: "", reward: 1 }],
    ["text", { prompt_id: "a", response: 3, reward: 1 }],
    ["text", { prompt_id: "a", response: "x", reward: 1, reused_steps: -1 }],
    ["openai", { prompt_id: "a", reward: 1, text: "x", reused_steps: 0.5 }],
    ["tokens", { prompt_id: "a", tokens: [1], logprobs: [-0.1], step_ends: [1], reward: 1, reused_steps: "1" }],
  ];
  it.each(bad)("and the reader reject the same bad %s line %j", (format, record) => {
    expect(checkJsonSchema(record, rolloutFormatJsonSchemas[format])).not.toEqual([]);
    const reader = new RolloutLineReader({ format });
    expect(() => {
      const parsed = reader.parse(JSON.stringify(record), "f:1");
      // Token and log-prob values are checked where the step enters a tree.
      const logprobs = Array.from(parsed.logprobs ?? []);
      const tokens = Array.from(parsed.tokens);
      if (logprobs.some((value) => value > 0) || tokens.some((token) => !Number.isInteger(token)))
        throw new Error("rejected by the tree");
    }).toThrow();
  });
});

describe("checkJsonSchema", () => {
  it("names the path of each problem and refuses keywords it does not know", () => {
    expect(
      checkJsonSchema({ a: [1, "x"] }, { type: "object", properties: { a: { items: { type: "integer" } } } }),
    ).toEqual(["$.a[1]: expected integer"]);
    expect(checkJsonSchema({ b: 1 }, { type: "object", additionalProperties: false })).toEqual(["$: unknown key b"]);
    expect(() => checkJsonSchema(1, { pattern: "x" })).toThrow('keyword "pattern"');
  });
});
