import { PolicyHttpError } from "./errors.js";
import { listModels, type ServerModel } from "./list-models.js";
import { OpenAICompletionsPolicy, type OpenAICompletionsPolicyOptions } from "./openai-completions-policy.js";

/** Options of {@link connectCompletionsPolicy}: the policy's, with what the server tells made optional. */
export type ConnectOptions = Omit<OpenAICompletionsPolicyOptions, "model" | "eosToken"> & {
  /** Default: the server's first model. */
  readonly model?: string;
  /** Default: the model card's `ibtpo.eos_token_id`. */
  readonly eosToken?: number;
  readonly signal?: AbortSignal;
};

export interface ConnectedPolicy {
  readonly policy: OpenAICompletionsPolicy;
  /** The model's `GET /v1/models` entry. */
  readonly card: ServerModel;
  /** The server's context length (`max_model_len`), when it says. */
  readonly contextLength: number | null;
}

interface IbtpoCard {
  readonly eos_token_id?: unknown;
  readonly step_delimiter_token_id?: unknown;
}

const tokenId = (value: unknown) =>
  Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;

/**
 * Build an {@link OpenAICompletionsPolicy} from what the server says about itself: the model from
 * `GET /v1/models`, and, from an `ibtpo serve` model card, the end and step-delimiter token ids
 * and exact entropies (`entropy: "server"`). Options given explicitly win; a server that does not
 * name its end token needs `eosToken`.
 *
 * @example
 * const { policy, contextLength } = await connectCompletionsPolicy({ baseUrl: "http://127.0.0.1:8000" });
 */
export async function connectCompletionsPolicy(options: ConnectOptions): Promise<ConnectedPolicy> {
  const { signal, model: wanted, ...rest } = options;
  const models = await listModels(options.baseUrl, {
    ...(signal === undefined ? {} : { signal }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  });
  const card = wanted === undefined ? models[0] : models.find((model) => model.id === wanted);
  if (card === undefined) {
    const offered = models.map((model) => model.id).join(", ") || "none";
    throw new PolicyHttpError(`model: the server has no model ${wanted ?? ""}; it offers ${offered}`, {
      kind: "invalid-request",
      url: options.baseUrl,
    });
  }
  const ibtpo = (typeof card.ibtpo === "object" && card.ibtpo !== null ? card.ibtpo : null) as IbtpoCard | null;
  const eosToken = options.eosToken ?? tokenId(ibtpo?.eos_token_id);
  if (eosToken === undefined) {
    throw new PolicyHttpError(`eosToken: the server at ${options.baseUrl} does not name its end token; pass eosToken`, {
      kind: "invalid-request",
      url: options.baseUrl,
    });
  }
  const stepDelimiter = options.stepDelimiter ?? tokenId(ibtpo?.step_delimiter_token_id);
  const policy = new OpenAICompletionsPolicy({
    ...rest,
    model: card.id,
    eosToken,
    ...(stepDelimiter === undefined ? {} : { stepDelimiter }),
    entropy: options.entropy ?? (ibtpo === null ? "none" : "server"),
  });
  const contextLength = Number.isSafeInteger(card.max_model_len) ? (card.max_model_len as number) : null;
  return { policy, card, contextLength };
}
