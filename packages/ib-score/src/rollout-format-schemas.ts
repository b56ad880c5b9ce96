import {
  defaultRolloutFormatOptions,
  type RolloutFormat,
  type RolloutFormatOptions,
  reusedStepsKey,
} from "./rollout-formats.js";

/** A JSON Schema document (draft 2020-12), as plain data. */
export type JsonSchema = { readonly [keyword: string]: unknown };

const draft = "https://json-schema.org/draft/2020-12/schema";
const promptId = { anyOf: [{ type: "string" }, { type: "integer" }], description: "groups a prompt's responses" };
const reward = { type: "number", minimum: 0, maximum: 1 };
const logprobs = { type: "array", items: { type: "number", maximum: 0 } };
const reusedSteps = {
  type: "integer",
  minimum: 0,
  description: "leading steps continued from an earlier line of the same prompt, not drawn again (absent = 0)",
};

/**
 * The JSON Schema of one line of a rollout format, with the field names `options` gives (the
 * defaults of {@link defaultRolloutFormatOptions} otherwise). It states what `RolloutLineReader`
 * checks field by field (types, ranges, required fields); the cross-field rules (equal lengths,
 * increasing `step_ends` ending at the token count, `reused_steps` within the steps and already
 * drawn by an earlier line) are the reader's alone.
 *
 * @example
 * const schema = rolloutFormatJsonSchema("text", { promptKey: "input", responseKey: "output", rewardKey: "score" });
 */
export function rolloutFormatJsonSchema(
  format: RolloutFormat,
  options: Omit<RolloutFormatOptions, "format" | "stepDelimiter"> = {},
): JsonSchema {
  const promptKey = options.promptKey ?? defaultRolloutFormatOptions.promptKey;
  const rewardKey = options.rewardKey ?? defaultRolloutFormatOptions.rewardKey;
  const responseKey = options.responseKey ?? defaultRolloutFormatOptions.responseKey;
  const common = { $schema: draft, title: `ib-score rollout line, ${format} format`, type: "object" };
  switch (format) {
    case "tokens":
      return {
        ...common,
        required: [promptKey, "tokens", "logprobs", "step_ends", rewardKey],
        properties: {
          [promptKey]: promptId,
          tokens: { type: "array", minItems: 1, items: { type: "integer", minimum: 0 } },
          logprobs,
          entropies: { anyOf: [{ type: "null" }, { type: "array", items: { type: "number", minimum: 0 } }] },
          step_ends: { type: "array", minItems: 1, items: { type: "integer", minimum: 1 } },
          [rewardKey]: reward,
          truncated: { type: "boolean" },
          [reusedStepsKey]: reusedSteps,
        },
      };
    case "openai":
      return {
        ...common,
        required: [promptKey, rewardKey],
        properties: {
          [promptKey]: promptId,
          [rewardKey]: reward,
          [reusedStepsKey]: reusedSteps,
          text: { type: "string" },
          finish_reason: { anyOf: [{ type: "string" }, { type: "null" }] },
          logprobs: {
            anyOf: [
              { type: "null" },
              {
                type: "object",
                required: ["tokens", "token_logprobs"],
                properties: {
                  tokens: { type: "array", minItems: 1, items: { type: "string" } },
                  token_logprobs: logprobs,
                },
              },
            ],
          },
        },
        // Without log-probs the steps come from the text.
        anyOf: [
          { required: ["logprobs"], properties: { logprobs: { type: "object" } } },
          { required: ["text"], properties: { text: { type: "string", minLength: 1 } } },
        ],
      };
    case "text":
      return {
        ...common,
        required: [promptKey, responseKey, rewardKey],
        properties: {
          [promptKey]: promptId,
          [responseKey]: { type: "string", minLength: 1 },
          [rewardKey]: reward,
          [reusedStepsKey]: reusedSteps,
        },
      };
  }
}

/** The schemas of the three formats with the default field names, as shipped in `schema/`. */
export const rolloutFormatJsonSchemas: Readonly<Record<RolloutFormat, JsonSchema>> = {
  tokens: rolloutFormatJsonSchema("tokens"),
  openai: rolloutFormatJsonSchema("openai"),
  text: rolloutFormatJsonSchema("text"),
};
