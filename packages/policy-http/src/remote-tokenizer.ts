import { Backoff } from "./backoff.js";
import { PolicyHttpError } from "./errors.js";
import { serverRoot } from "./openai-completions-policy.js";
import { requestJson } from "./request-json.js";
import { type RetryOptions, withRetries } from "./retry.js";
import { SERVER_DIALECTS, type ServerDialect, type ServerKind } from "./server-dialect.js";

/** Where each server puts the detokenized text: vLLM and ibtpo `prompt`, llama.cpp `content`, SGLang `text`. */
const DETOKENIZED_FIELDS = ["prompt", "content", "text"] as const;

export interface RemoteTokenizerOptions {
  readonly baseUrl: string;
  /** Sent as `model` (vLLM serves several); omitted when absent. */
  readonly model?: string;
  /** Which routes and fields: vLLM's and ibtpo serve's `prompt` (default), llama.cpp's `content`, SGLang's `/v1/...` routes. */
  readonly serverKind?: ServerKind;
  readonly timeoutMs?: number;
  readonly retry?: RetryOptions;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The server's own tokenizer through its tokenize and detokenize routes, so text tasks can be
 * sampled against a model whose vocabulary the client does not have: vLLM's and `ibtpo serve`'s
 * `POST /tokenize {prompt}` and `/detokenize` (answer `prompt`), llama.cpp's `POST /tokenize
 * {content}` and `/detokenize` (answer `content`), SGLang's `/v1/tokenize` and `/v1/detokenize`
 * (answer `text`). An empty token list for non-empty text is an error (a server that did not read
 * the field answers that way). Retries like {@link OpenAICompletionsPolicy}.
 *
 * @example
 * const tokenizer = new RemoteTokenizer({ baseUrl: "http://127.0.0.1:8000" });
 * const ids = await tokenizer.encode("3+4=", { addSpecialTokens: true });
 * await tokenizer.decode(ids); // "3+4="
 */
export class RemoteTokenizer {
  private readonly root: string;
  private readonly backoff: Backoff;
  private readonly dialect: ServerDialect;

  constructor(readonly options: RemoteTokenizerOptions) {
    this.root = serverRoot(options.baseUrl);
    this.backoff = new Backoff(options.retry ?? {});
    this.dialect = SERVER_DIALECTS[options.serverKind ?? "ibtpo"];
  }

  /** Token ids of `text`; `addSpecialTokens` (default true) lets the server add BOS. */
  async encode(
    text: string,
    options: { readonly addSpecialTokens?: boolean; readonly signal?: AbortSignal } = {},
  ): Promise<Int32Array> {
    const route = this.dialect.tokenize;
    if (route === null) throw this.noRoute("tokenize");
    const url = `${this.root}${route.path}`;
    const answer = await this.post(url, route.body(text, options.addSpecialTokens ?? true), options.signal);
    const tokens = (answer as { tokens?: unknown } | null)?.tokens;
    if (!Array.isArray(tokens) || tokens.some((id) => !Number.isSafeInteger(id) || id < 0)) {
      throw new PolicyHttpError(`tokens: expected an array of token ids (${url})`, { kind: "malformed", url });
    }
    if (tokens.length === 0 && text.length > 0) {
      throw new PolicyHttpError(
        `tokens: the server returned no tokens for ${JSON.stringify(text.slice(0, 40))} (${url}); ` +
          `it may read another field than ${Object.keys(route.body("", false))[0]} (is the server kind ${this.dialect.kind} right?)`,
        { kind: "malformed", url },
      );
    }
    return Int32Array.from(tokens as number[]);
  }

  /** Text of `tokens` as the server renders it. */
  async decode(tokens: ArrayLike<number>, options: { readonly signal?: AbortSignal } = {}): Promise<string> {
    if (this.dialect.detokenizePath === null) throw this.noRoute("detokenize");
    const url = `${this.root}${this.dialect.detokenizePath}`;
    const answer = (await this.post(url, { tokens: Array.from(tokens) }, options.signal)) as Record<
      string,
      unknown
    > | null;
    const text = DETOKENIZED_FIELDS.map((field) => answer?.[field]).find((value) => typeof value === "string");
    if (typeof text !== "string") {
      throw new PolicyHttpError(`prompt: expected a string in prompt, content or text (${url})`, {
        kind: "malformed",
        url,
      });
    }
    return text;
  }

  private noRoute(route: string): PolicyHttpError {
    return new PolicyHttpError(
      `a ${this.dialect.kind} server has no ${route} route this client knows; give the server kind (vllm, sglang, llama.cpp) or tokenize locally`,
      { kind: "invalid-request", url: this.root },
    );
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
