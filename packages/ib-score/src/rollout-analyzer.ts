import { BatchAccumulator, type BatchSummary } from "./batch-summary.js";
import { IbScoreInputError } from "./errors.js";
import { addResponse } from "./prefix-tree.js";
import { ReasoningTree } from "./reasoning-tree.js";
import type { RolloutRecord } from "./rollout-record.js";
import type { IbScoreOptions } from "./score-options.js";
import { scoreTree } from "./score-tree.js";

/** The per-prompt result of `ib-score analyze`, with the field names of its JSON output. */
export interface PromptReport {
  readonly prompt_id: string;
  readonly trajectories: number;
  /** Nodes other than the root. */
  readonly nodes: number;
  readonly branching_nodes: number;
  readonly ib_score: number | null;
  readonly H: number | null;
  readonly I: number | null;
  readonly root: { readonly ib_score: number; readonly H: number; readonly I: number } | null;
  readonly effective: boolean;
}

export interface RolloutAnalyzerOptions extends IbScoreOptions {
  /**
   * Accept a prompt's responses spread across the input. Every tree then stays in memory until
   * the end; by default responses of a prompt must be contiguous and each tree is scored and
   * dropped as soon as the next prompt starts, so memory does not grow with the input size.
   */
  readonly unsorted?: boolean;
  /**
   * Receives each prompt's report as soon as its tree is scored. When given, reports are handed
   * over rather than kept, and `finish()` returns an empty `prompts` list.
   */
  readonly onPrompt?: (report: PromptReport) => void;
}

/**
 * Groups a stream of rollout records into one prefix tree per prompt and scores each tree.
 *
 * @example
 * const analyzer = new RolloutAnalyzer({ beta: 1 });
 * for (const [index, line] of lines.entries()) analyzer.add(parseRolloutRecord(line, `f:${index + 1}`), `f:${index + 1}`);
 * const { summary, prompts } = analyzer.finish();
 */
export class RolloutAnalyzer {
  private readonly options: RolloutAnalyzerOptions;
  private readonly open = new Map<string, ReasoningTree>();
  private readonly closed = new Set<string>();
  private readonly reports: PromptReport[] = [];
  private readonly batch = new BatchAccumulator();
  private current: ReasoningTree | null = null;

  constructor(options: RolloutAnalyzerOptions = {}) {
    this.options = options;
  }

  add(record: RolloutRecord, location: string): void {
    addResponse(this.treeFor(record.promptId, location), record, location);
  }

  finish(): { summary: BatchSummary; prompts: PromptReport[] } {
    if (this.current !== null) this.close(this.current);
    for (const tree of this.open.values()) this.close(tree);
    this.current = null;
    this.open.clear();
    return { summary: this.batch.summary(), prompts: this.reports };
  }

  private treeFor(promptId: string, location: string): ReasoningTree {
    if (this.options.unsorted) {
      let tree = this.open.get(promptId);
      if (tree === undefined) {
        tree = new ReasoningTree({ promptId });
        this.open.set(promptId, tree);
      }
      return tree;
    }
    if (this.current?.promptId === promptId) return this.current;
    if (this.closed.has(promptId)) {
      throw new IbScoreInputError(
        `prompt_id "${promptId}" appears again after other prompts; group each prompt's responses together (sort by prompt_id) or pass --unsorted`,
        location,
      );
    }
    if (this.current !== null) this.close(this.current);
    this.current = new ReasoningTree({ promptId });
    return this.current;
  }

  private close(tree: ReasoningTree): void {
    this.closed.add(tree.promptId);
    const score = scoreTree(tree, this.options);
    this.batch.add(score);
    const report: PromptReport = {
      prompt_id: tree.promptId,
      trajectories: score.trajectories,
      nodes: score.nodes,
      branching_nodes: score.branchingNodes,
      ib_score: score.tree?.ibScore ?? null,
      H: score.tree?.H ?? null,
      I: score.tree?.I ?? null,
      root: score.root === null ? null : { ib_score: score.root.ibScore, H: score.root.H, I: score.root.I },
      effective: score.effective,
    };
    if (this.options.onPrompt === undefined) this.reports.push(report);
    else this.options.onPrompt(report);
  }
}
