const marker = Symbol.for("@ibtpo/trainer/OpenAIRequestError");

/**
 * A request the server refuses, answered as OpenAI does: the status and
 * `{"error": {"message", "type", "param", "code"}}`, the message naming the bad field.
 *
 * @example
 * throw new OpenAIRequestError(400, "max_tokens: must be an integer >= 1, got 0", "max_tokens");
 */
export class OpenAIRequestError extends Error {
  readonly [marker] = true;

  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = "OpenAIRequestError";
  }

  get type(): string {
    if (this.status === 404) return "not_found_error";
    if (this.status >= 500) return "server_error";
    return "invalid_request_error";
  }

  toJSON(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  static isInstance(error: unknown): error is OpenAIRequestError {
    return typeof error === "object" && error !== null && marker in error;
  }
}

/** A 400 naming the field. */
export const badField = (param: string, detail: string) => new OpenAIRequestError(400, `${param}: ${detail}`, param);
