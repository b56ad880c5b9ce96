import { describe, expect, it } from "vitest";
import { type CompletionContext, generationFromCompletion } from "./completion-response.js";
import { completion } from "./fake-server.test-helper.js";

const context: CompletionContext = {
  url: "http://server/v1/completions",
  maxTokens: 4,
  eosToken: 2,
  stopTokens: [9],
  tokenIds: "token-id-strings",
  entropy: "none",
  topLogprobs: 0,
};

type Body = { choices: { logprobs: Record<string, unknown>; token_ids?: unknown; finish_reason: string }[] };
const edited = (edit: (choice: Body["choices"][number]) => void, ids = [5, 2], logprobs = [-1, -0.5]) => {
  const body = completion(ids, logprobs, "stop") as Body;
  edit(body.choices[0] as Body["choices"][number]);
  return body;
};

describe("generationFromCompletion", () => {
  it("maps the end token to eos, a stop token to stop, and a cut to length", () => {
    expect(generationFromCompletion(completion([5, 2], [-1, -0.5], "stop"), context).finishReason).toBe("eos");
    expect(generationFromCompletion(completion([5, 9], [-1, -0.5], "stop"), context).finishReason).toBe("stop");
    expect(generationFromCompletion(completion([5, 6], [-1, -0.5], "length"), context).finishReason).toBe("length");
  });

  it("rejects a stop without the end token in the output, naming the field", () => {
    expect(() => generationFromCompletion(completion([5, 6], [-1, -0.5], "stop"), context)).toThrow(
      /choices\[0\]\.finish_reason: is "stop" but the last token 6 is neither the end token 2 nor a stop token/,
    );
  });

  it("prefers a token_ids array and reads token strings through a codec otherwise", () => {
    const direct = edited((choice) => {
      choice.token_ids = [7, 2];
      choice.logprobs.tokens = ["a", "b"];
    });
    expect(Array.from(generationFromCompletion(direct, context).tokens)).toEqual([7, 2]);
    const codec = {
      encode: (text: string) => Int32Array.of(text === "<eos>" ? 2 : text.charCodeAt(0) - 90),
      decode: () => "",
    };
    const texts = edited((choice) => {
      choice.logprobs.tokens = ["a", "<eos>"];
    });
    expect(Array.from(generationFromCompletion(texts, { ...context, tokenIds: codec }).tokens)).toEqual([7, 2]);
  });

  it("names malformed fields: token strings, lengths, positive log-probs", () => {
    const text = edited((choice) => {
      choice.logprobs.tokens = ["a", "b"];
    });
    expect(() => generationFromCompletion(text, context)).toThrow(
      /logprobs\.tokens\[0\]: "a" is not of the form "token_id:<id>"/,
    );
    const short = edited((choice) => {
      choice.logprobs.tokens = ["token_id:5"];
    });
    expect(() => generationFromCompletion(short, context)).toThrow(/logprobs\.tokens: expected 2 tokens .*got 1/);
    expect(() => generationFromCompletion(completion([5, 2], [-1, 0.5], "stop"), context)).toThrow(
      /token_logprobs\[1\]: expected a log-prob <= 0, got 0.5/,
    );
    expect(() => generationFromCompletion(completion([5, 5, 5, 5, 2], [-1, -1, -1, -1, -1], "stop"), context)).toThrow(
      /expected 1 to 4 entries, got 5/,
    );
    expect(() => generationFromCompletion({ choices: [] }, context)).toThrow(/expected exactly 1 choice/);
  });

  it("reads the server's exact entropies or bounds them from top_logprobs", () => {
    const exact = edited((choice) => {
      choice.logprobs.entropies = [0.7, 0.1];
    });
    expect(Array.from(generationFromCompletion(exact, { ...context, entropy: "server" }).entropies ?? [])).toEqual([
      0.7, 0.1,
    ]);
    const top = edited((choice) => {
      choice.logprobs.top_logprobs = [
        { "token_id:5": Math.log(0.5), "token_id:6": Math.log(0.5) },
        { "token_id:2": 0 },
      ];
    });
    const bounded = generationFromCompletion(top, { ...context, entropy: "top-k-lower-bound", topLogprobs: 2 });
    expect(bounded.entropies?.[0]).toBeCloseTo(Math.log(2), 12);
    expect(bounded.entropies?.[1]).toBe(0);
    expect(() =>
      generationFromCompletion(completion([5, 2], [-1, -0.5], "stop"), {
        ...context,
        entropy: "top-k-lower-bound",
        topLogprobs: 2,
      }),
    ).toThrow(/top_logprobs: expected 2 entries, got none/);
  });
});
