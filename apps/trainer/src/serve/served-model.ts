import type { SymbolTokenizer } from "@ibtpo/policy-tfjs";

/** What the server needs to know about the model behind it, beside the policy. */
export interface ServedModel {
  /** The `model` id clients send (default: the checkpoint folder's name). */
  readonly id: string;
  readonly tokenizer: SymbolTokenizer;
  readonly vocabSize: number;
  /** Prompt plus generated tokens never exceed this. */
  readonly contextLength: number;
  /** The task the checkpoint was trained on and its options, when its manifest records them. */
  readonly task?: { readonly name: string; readonly options: Readonly<Record<string, number>> };
}

/**
 * The `GET /v1/models` entry. Beside the OpenAI fields it carries vLLM's `max_model_len` and an
 * `ibtpo` object with the special token ids and, when known, the task the model was trained on
 * with its options (what `ibtpo sample` draws prompts from), so a client needs nothing but the URL.
 */
export function modelCard(model: ServedModel, created: number) {
  return {
    id: model.id,
    object: "model",
    created,
    owned_by: "ibtpo",
    max_model_len: model.contextLength,
    ibtpo: {
      vocab_size: model.vocabSize,
      bos_token_id: model.tokenizer.bosId,
      eos_token_id: model.tokenizer.eosId,
      pad_token_id: model.tokenizer.padId,
      step_delimiter_token_id: model.tokenizer.stepDelimiterId,
      ...(model.task === undefined ? {} : { task: model.task.name, task_options: model.task.options }),
    },
  };
}
