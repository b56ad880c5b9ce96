import { PolicyHttpError } from "./errors.js";
import { serverRoot } from "./openai-completions-policy.js";
import { requestJson } from "./request-json.js";

/** One entry of `GET /v1/models`; servers add their own fields (kept as they came). */
export interface ServerModel {
  readonly id: string;
  readonly [field: string]: unknown;
}

/**
 * The models a server offers (`GET /v1/models`), e.g. to pick the `model` of
 * {@link OpenAICompletionsPolicy} or read `ibtpo serve`'s token ids from its `ibtpo` field.
 *
 * @example
 * const [model] = await listModels("http://127.0.0.1:8000");
 * model.id;
 */
export async function listModels(
  baseUrl: string,
  options: {
    readonly timeoutMs?: number;
    readonly headers?: Readonly<Record<string, string>>;
    readonly signal?: AbortSignal;
  } = {},
): Promise<ServerModel[]> {
  const url = `${serverRoot(baseUrl)}/v1/models`;
  const value = (await requestJson(url, {
    method: "GET",
    timeoutMs: options.timeoutMs ?? 30_000,
    signal: options.signal,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  })) as { data?: unknown };
  if (!Array.isArray(value?.data)) {
    throw new PolicyHttpError(`data: expected an array of models (${url})`, { kind: "malformed", url });
  }
  return value.data.map((model, index) => {
    if (typeof model !== "object" || model === null || typeof (model as { id?: unknown }).id !== "string") {
      throw new PolicyHttpError(`data[${index}].id: expected a string (${url})`, { kind: "malformed", url });
    }
    return model as ServerModel;
  });
}
