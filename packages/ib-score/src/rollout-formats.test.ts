import { describe, expect, it } from "vitest";
import { analysisToJson, analyzeRolloutLines } from "./analyze-lines.js";
import { addResponse } from "./prefix-tree.js";
import { ReasoningTree } from "./reasoning-tree.js";
import { cutTextIntoSteps, detectRolloutFormat, type RolloutFormat, RolloutLineReader } from "./rollout-formats.js";

// The same random rollouts written in the three formats. Token t has the text `w${t} `, and the
// last token of every step is a delimiter token whose text ends in "\n" (no other token has one),
// so cutting at the delimiter gives back the tokens format's steps.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}
const tokenText = (token: number) => (token >= 100 ? `so ${token - 100}.\n` : `w${token} `);

function threeFormats(seed: number): Record<RolloutFormat, string[]> {
  const next = random(seed);
  const pick = (n: number) => Math.floor(next() * n);
  const lines: Record<RolloutFormat, string[]> = { tokens: [], openai: [], text: [] };
  for (let prompt = 0; prompt < 12; prompt++) {
    const group = 1 + pick(8);
    for (let response = 0; response < group; response++) {
      const tokens: number[] = [];
      const stepEnds: number[] = [];
      const steps = 1 + pick(3);
      for (let step = 0; step < steps; step++) {
        const length = pick(2);
        for (let i = 0; i < length; i++) tokens.push(pick(2));
        tokens.push(100 + pick(2));
        stepEnds.push(tokens.length);
      }
      const logprobs = tokens.map(() => Math.log(0.1 + 0.9 * next()));
      const reward = [0, 1, 0.5][pick(3)] as number;
      const texts = tokens.map(tokenText);
      const finishReason = pick(5) === 0 ? "length" : "stop";
      const truncated = finishReason === "length";
      lines.tokens.push(
        JSON.stringify({ prompt_id: `p${prompt}`, tokens, logprobs, step_ends: stepEnds, reward, truncated }),
      );
      lines.openai.push(
        JSON.stringify({
          index: response,
          text: texts.join(""),
          logprobs: { tokens: texts, token_logprobs: logprobs, top_logprobs: null, text_offset: [] },
          finish_reason: finishReason,
          prompt_id: `p${prompt}`,
          reward,
        }),
      );
      lines.text.push(JSON.stringify({ input: `p${prompt}`, output: texts.join(""), score: reward }));
    }
  }
  return lines;
}

const formatOptions = {
  tokens: { format: "tokens" },
  openai: { format: "openai" },
  text: { format: "text", promptKey: "input", responseKey: "output", rewardKey: "score" },
} as const;

/** Parent, trajectories, reward sum and draws of every node, in creation order. */
function treeShapes(lines: string[], format: RolloutFormat) {
  const reader = new RolloutLineReader(formatOptions[format]);
  const trees = new Map<string, ReasoningTree>();
  lines.forEach((line, index) => {
    const record = reader.parse(line, `f:${index + 1}`);
    let tree = trees.get(record.promptId);
    if (tree === undefined) {
      tree = new ReasoningTree({ promptId: record.promptId });
      trees.set(record.promptId, tree);
    }
    addResponse(tree, record, `f:${index + 1}`);
  });
  return [...trees.values()].map((tree) =>
    Array.from({ length: tree.size }, (_, node) => [
      tree.parent(node),
      tree.trajectoryCount(node),
      tree.rewardSum(node),
      tree.multiplicity(node),
      tree.truncatedEndingCount(node),
    ]),
  );
}

describe("the three rollout formats", () => {
  it("give the same trees, values and Eff-Rate, and the same IB-Score where the information overlaps", async () => {
    for (const seed of [1, 2, 3]) {
      const lines = threeFormats(seed);
      const shapes = treeShapes(lines.tokens, "tokens");
      expect(treeShapes(lines.openai, "openai")).toEqual(shapes);
      // Text dumps carry no truncation flag; everything else of the shape is the same.
      const withoutTruncation = (s: number[][][]) => s.map((tree) => tree.map((node) => node.slice(0, 4)));
      expect(withoutTruncation(treeShapes(lines.text, "text"))).toEqual(withoutTruncation(shapes));

      const analyses = {} as Record<
        RolloutFormat,
        { summary: Record<string, unknown>; prompts: Record<string, unknown>[] }
      >;
      for (const format of ["tokens", "openai", "text"] as const) {
        for (const estimator of ["paper"] as const) {
          const analysis = await analyzeRolloutLines(lines[format], "f", { ...formatOptions[format], estimator });
          analyses[format] = analysisToJson(analysis) as (typeof analyses)[RolloutFormat];
        }
      }
      const { tokens, openai, text } = analyses;
      // Tokens and openai carry the same log-probs (and no entropies): everything is equal.
      expect({ ...openai.summary, format: "tokens" }).toEqual(tokens.summary);
      expect(openai.prompts).toEqual(tokens.prompts);
      // Text has no log-probs: what needs them is null, the rest is equal.
      const needsLogprobs = { ib_score: null, cov: null, confidence: null, H: null };
      expect(text.summary).toEqual({
        ...tokens.summary,
        ...needsLogprobs,
        format: "text",
        missing_logprobs: true,
        surprisal_fallback: true,
      });
      text.prompts.forEach((prompt, i) => {
        const expected = tokens.prompts[i] as Record<string, unknown>;
        expect(prompt).toEqual({
          ...expected,
          ...(expected.ib_score === null ? {} : needsLogprobs),
          H: null,
          root: expected.root === null ? null : { ...(expected.root as object), ...needsLogprobs },
        });
      });
    }
  });

  it("detects the format from a line", () => {
    const [tokens, openai, text] = (["tokens", "openai", "text"] as const).map(
      (format) => JSON.parse(threeFormats(1)[format][0] as string) as Record<string, unknown>,
    );
    expect(detectRolloutFormat(tokens as Record<string, unknown>)).toBe("tokens");
    expect(detectRolloutFormat(openai as Record<string, unknown>)).toBe("openai");
    expect(detectRolloutFormat(text as Record<string, unknown>, "output")).toBe("text");
    expect(detectRolloutFormat({ text: "no logprobs", prompt_id: "q", reward: 1 })).toBe("openai");
    expect(detectRolloutFormat({ prompt: "q", answer: "x" })).toBeNull();
  });

  it("cuts text after each delimiter", () => {
    expect(cutTextIntoSteps("a\nb\n\nc", "\n")).toEqual(["a\n", "b\n", "\n", "c"]);
    expect(cutTextIntoSteps("a\nb\n\nc\n", "\n\n")).toEqual(["a\nb\n\n", "c\n"]);
    expect(cutTextIntoSteps("abc", "\n")).toEqual(["abc"]);
  });
});

describe("bad lines in each format", () => {
  const reader = (format: RolloutFormat) => new RolloutLineReader(formatOptions[format]);
  it.each([
    [
      "tokens",
      '{"prompt_id": 1.5, "tokens": [1], "logprobs": [-1], "step_ends": [1], "reward": 1}',
      "prompt_id must be a string or an integer, got 1.5",
    ],
    [
      "openai",
      '{"prompt_id": "q", "reward": 1, "text": "a", "logprobs": {"tokens": ["a"], "token_logprobs": [null]}}',
      "logprobs.token_logprobs[0] must be a number, got null",
    ],
    [
      "openai",
      '{"prompt_id": "q", "reward": 1, "text": "ab", "logprobs": {"tokens": ["a", "b"], "token_logprobs": [-1]}}',
      "logprobs.token_logprobs has length 1, logprobs.tokens has length 2",
    ],
    [
      "openai",
      '{"prompt_id": "q", "reward": 1, "logprobs": {"tokens": [], "token_logprobs": []}}',
      "logprobs.tokens is empty",
    ],
    ["openai", '{"prompt_id": "q", "reward": 1, "logprobs": [1]}', "logprobs must be an object"],
    ["text", '{"input": "q", "output": "", "score": 1}', "output is empty"],
    ["text", '{"input": "q", "output": 3, "score": 1}', "output must be a string"],
    ["text", '{"input": "q", "output": "a", "score": 2}', "score must be a number in [0, 1], got 2"],
    ["text", '{"input": "q", "output": "a"}', "score must be a number in [0, 1], got nothing"],
  ] as const)("%s: %s", (format, line, message) => {
    expect(() => reader(format).parse(line, "f.jsonl:7")).toThrow(`f.jsonl:7: ${message}`);
  });

  it("says which formats it knows when it cannot tell", () => {
    expect(() => new RolloutLineReader().parse('{"prompt": "q"}', "f.jsonl:1")).toThrow(
      /^f\.jsonl:1: cannot tell the format of this line: .*--format tokens.*--format openai.*--format text/,
    );
    expect(() => new RolloutLineReader({ format: "yaml" as RolloutFormat })).toThrow(
      "option format: format must be one of 'tokens', 'openai', 'text', got 'yaml'",
    );
  });

  it("rejects a positive log-prob in the openai format at its line", async () => {
    const line = '{"prompt_id": "q", "reward": 1, "text": "a", "logprobs": {"tokens": ["a"], "token_logprobs": [0.5]}}';
    await expect(analyzeRolloutLines([line], "f.jsonl", { format: "openai" })).rejects.toThrow(
      /^f\.jsonl:1, step 0: logprob 0 is 0.5/,
    );
  });
});
