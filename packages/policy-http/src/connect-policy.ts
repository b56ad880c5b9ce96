import { PolicyHttpError } from "./errors.js";
import { listModels, type ServerModel } from "./list-models.js";
import { OpenAICompletionsPolicy, type OpenAICompletionsPolicyOptions } from "./openai-completions-policy.js";
import { detectServerKind, SERVER_DIALECTS, type ServerKind } from "./server-dialect.js";

/** Options of {@link connectCompletionsPolicy}: the policy's, with what the server tells made optional. */
export type ConnectOptions = Omit<OpenAICompletionsPolicyOptions, "model" | "eosToken"> & {
  /** Default: the server's first model. */
  readonly model?: string;
  /** Default: the model card's `ibtpo.eos_token_id`. */
  readonly eosToken?: number;
  /** Default: detected from the model card (see {@link detectServerKind}). */
  readonly serverKind?: ServerKind;
  /**
   * How errors name the settings a user must give, e.g. `{ eosToken: "--eos-token" }` for a
   * command line; default the option names of this function.
   */
  readonly optionNames?: Readonly<Partial<Record<"eosToken" | "entropy", string>>>;
  readonly signal?: AbortSignal;
};

export interface ConnectedPolicy {
  readonly policy: OpenAICompletionsPolicy;
  /** The model's `GET /v1/models` entry. */
  readonly card: ServerModel;
  /** The server's context length per request (vLLM's `max_model_len`, llama.cpp's `meta.n_ctx`), when it says. */
  readonly contextLength: number | null;
  /** The dialect spoken: given, or detected from the model card. */
  readonly serverKind: ServerKind;
}

interface IbtpoCard {
  readonly eos_token_id?: unknown;
  readonly step_delimiter_token_id?: unknown;
}

const tokenId = (value: unknown) =>
  Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;

/**
 * Build an {@link OpenAICompletionsPolicy} from what the server says about itself: the model and
 * the server kind (dialect) from `GET /v1/models`, the context length where the entry gives it,
 * and, from an `ibtpo serve` model card, the end and step-delimiter token ids and exact entropies
 * (`entropy: "server"`). Options given explicitly win; a server that does not name its end token
 * needs `eosToken`.
 *
 * @example
 * const { policy, contextLength } = await connectCompletionsPolicy({ baseUrl: "http://127.0.0.1:8000" });
 */
export async function connectCompletionsPolicy(options: ConnectOptions): Promise<ConnectedPolicy> {
  const { signal, model: wanted, optionNames, ...rest } = options;
  const named = (option: "eosToken" | "entropy") => optionNames?.[option] ?? option;
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
  const serverKind = options.serverKind ?? detectServerKind(card);
  const eosToken = options.eosToken ?? tokenId(ibtpo?.eos_token_id);
  if (eosToken === undefined) {
    throw new PolicyHttpError(
      `${named("eosToken")}: the ${serverKind} server at ${options.baseUrl} does not name its end token; pass ${named("eosToken")} (the id of your model's end-of-sequence token)`,
      { kind: "invalid-request", url: options.baseUrl },
    );
  }
  const entropy = options.entropy ?? (serverKind === "ibtpo" ? "server" : "none");
  if (entropy === "server" && serverKind !== "ibtpo") {
    throw new PolicyHttpError(
      `${named("entropy")}: exact entropies are an ibtpo serve extension; a ${serverKind} server gives top log-probs at most (use ${named("entropy")} top-k-lower-bound or none)`,
      { kind: "invalid-request", url: options.baseUrl },
    );
  }
  const stepDelimiter = options.stepDelimiter ?? tokenId(ibtpo?.step_delimiter_token_id);
  const policy = new OpenAICompletionsPolicy({
    ...rest,
    model: card.id,
    eosToken,
    ...(stepDelimiter === undefined ? {} : { stepDelimiter }),
    serverKind,
    entropy,
  });
  return { policy, card, contextLength: SERVER_DIALECTS[serverKind].contextLength(card), serverKind };
}
