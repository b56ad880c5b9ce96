import { Backoff } from "./backoff.js";
import { PolicyHttpError } from "./errors.js";
import { serverRoot } from "./openai-completions-policy.js";
import { requestJson } from "./request-json.js";
import { type RetryOptions, withRetries } from "./retry.js";

export interface RemoteTokenizerOptions {
  readonly baseUrl: string;
  /** Sent as `model` (vLLM serves several); omitted when absent. */
  readonly model?: string;
  readonly timeoutMs?: number;
  readonly retry?: RetryOptions;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The server's own tokenizer through vLLM's `POST /tokenize` and `POST /detokenize` (also served
 * by `ibtpo serve`), so text tasks can be sampled against a model whose vocabulary the client does
 * not have. Retries like {@link OpenAICompletionsPolicy}.
 *
 * @example
 * const tokenizer = new RemoteTokenizer({ baseUrl: "http://127.0.0.1:8000" });
 * const ids = await tokenizer.encode("3+4=", { addSpecialTokens: true });
 * await tokenizer.decode(ids); // "3+4="
 */
export class RemoteTokenizer {
  private readonly root: string;
  private readonly backoff: Backoff;

  constructor(readonly options: RemoteTokenizerOptions) {
    this.root = serverRoot(options.baseUrl);
    this.backoff = new Backoff(options.retry ?? {});
  }

  /** Token ids of `text`; `addSpecialTokens` (default true) lets the server add BOS. */
  async encode(
    text: string,
    options: { readonly addSpecialTokens?: boolean; readonly signal?: AbortSignal } = {},
  ): Promise<Int32Array> {
    const url = `${this.root}/tokenize`;
    const answer = await this.post(
      url,
      { prompt: text, add_special_tokens: options.addSpecialTokens ?? true },
      options.signal,
    );
    const tokens = (answer as { tokens?: unknown } | null)?.tokens;
    if (!Array.isArray(tokens) || tokens.some((id) => !Number.isSafeInteger(id) || id < 0)) {
      throw new PolicyHttpError(`tokens: expected an array of token ids (${url})`, { kind: "malformed", url });
    }
    return Int32Array.from(tokens as number[]);
  }

  /** Text of `tokens` as the server renders it. */
  async decode(tokens: ArrayLike<number>, options: { readonly signal?: AbortSignal } = {}): Promise<string> {
    const url = `${this.root}/detokenize`;
    const answer = await this.post(url, { tokens: Array.from(tokens) }, options.signal);
    const prompt = (answer as { prompt?: unknown } | null)?.prompt;
    if (typeof prompt !== "string")
      throw new PolicyHttpError(`prompt: expected a string (${url})`, { kind: "malformed", url });
    return prompt;
  }

  private post(url: string, body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<unknown> {
    return withRetries(
      () =>
        requestJson(url, {
          method: "POST",
          body: this.options.model === undefined ? body : { model: this.options.model, ...body },
          timeoutMs: this.options.timeoutMs ?? 30_000,
          signal,
          ...(this.options.headers === undefined ? {} : { headers: this.options.headers }),
        }),
      this.backoff,
      { maxAttempts: this.options.retry?.maxAttempts ?? 4, signal },
    );
  }
}
