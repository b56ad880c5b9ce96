import { addResponse, IbScoreInputError, type NodeId, ReasoningTree, type RolloutLineReader } from "@ibtpo/ib-score";
import { type AdvantageEstimator, type TrainingSequence, trainingBatchFromTrees } from "@ibtpo/tpo-loss";

/** One buffered input line of the prompt group being read. */
interface PendingLine {
  readonly line: string;
  readonly location: string;
  readonly ending: NodeId;
  readonly reward: number;
}

export interface RolloutAdvantagesOptions {
  /** Parses the lines (format, keys, step delimiter). */
  readonly reader: RolloutLineReader;
  readonly estimator: AdvantageEstimator;
}

/**
 * Each rollout line written back with an `advantages` array: one number per token of its
 * response (per interned token for 'openai' with log-probs, per step for 'text' and for 'openai'
 * without log-probs), in input order. A prompt's lines must be contiguous: they form one tree,
 * and its advantages exist only once the tree is complete, so one group's lines are held until
 * the next prompt starts (memory is bounded by the largest group, not the file). The advantages
 * are the ones `trainingBatchFromTrees` gives the trainer for that tree.
 *
 * @example
 * for await (const out of rolloutAdvantageLines(lines, "f.jsonl", { reader, estimator })) write(out);
 */
export async function* rolloutAdvantageLines(
  lines: AsyncIterable<string> | Iterable<string>,
  source: string,
  options: RolloutAdvantagesOptions,
): AsyncGenerator<string, void, undefined> {
  const { reader, estimator } = options;
  const finished = new Set<string>();
  let tree: ReasoningTree | null = null;
  let pending: PendingLine[] = [];
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === "") continue;
    const location = `${source}:${lineNumber}`;
    const record = reader.parse(line, location);
    if (tree === null || tree.promptId !== record.promptId) {
      const previous: ReasoningTree | null = tree;
      if (previous !== null) {
        finished.add(previous.promptId);
        yield* groupLines(previous, pending, estimator);
      }
      if (finished.has(record.promptId)) {
        throw new IbScoreInputError(
          `prompt id "${record.promptId}" appears again after other prompts; a prompt's lines must be contiguous (sort the file by prompt id)`,
          location,
        );
      }
      tree = new ReasoningTree({ promptId: record.promptId });
      pending = [];
    }
    pending.push({ line, location, ending: addResponse(tree, record, location), reward: record.reward });
  }
  if (tree !== null) yield* groupLines(tree, pending, estimator);
}

/** The lines of one complete group with their advantages, in their input order. */
function* groupLines(tree: ReasoningTree, pending: readonly PendingLine[], estimator: AdvantageEstimator) {
  const rowsByEnding = new Map<NodeId, TrainingSequence[]>();
  for (const sequence of trainingBatchFromTrees([tree], estimator).sequences) {
    const ending = sequence.tokenNodes[sequence.tokenNodes.length - 1] as NodeId;
    const rows = rowsByEnding.get(ending) ?? [];
    rows.push(sequence);
    rowsByEnding.set(ending, rows);
  }
  for (const { line, location, ending, reward } of pending) {
    // Step estimators give one row per ending node; response estimators one per distinct reward there.
    const rows = rowsByEnding.get(ending) ?? [];
    const row = rows.length === 1 ? rows[0] : rows.find((candidate) => candidate.reward === reward);
    if (row === undefined) throw new Error(`${location}: no training row ends at node ${ending}`);
    const index = row.advantages.findIndex((value) => !Number.isFinite(value));
    if (index !== -1) {
      throw new IbScoreInputError(
        `estimator ${estimator.name} gives a non-finite advantage at token ${index}; its options need log-probs this line does not carry (try --estimator treerl or grpo, or a format with log-probs)`,
        location,
      );
    }
    yield withAdvantages(line, row.advantages);
  }
}

/** The line with `advantages` added (or replaced, when the line already has one). */
function withAdvantages(line: string, advantages: Float64Array): string {
  const list = `[${Array.from(advantages).join(",")}]`;
  if (line.includes('"advantages"')) {
    const record = JSON.parse(line) as Record<string, unknown>;
    if ("advantages" in record) {
      record.advantages = Array.from(advantages);
      return JSON.stringify(record);
    }
  }
  const close = line.lastIndexOf("}");
  const body = line.slice(0, close).trimEnd();
  return `${body}${body.endsWith("{") ? "" : ","}"advantages":${list}}`;
}
