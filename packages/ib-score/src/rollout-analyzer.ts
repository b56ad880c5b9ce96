import { BatchAccumulator, type BatchSummary } from "./batch-summary.js";
import { IbScoreInputError } from "./errors.js";
import { addResponse } from "./prefix-tree.js";
import { ReasoningTree } from "./reasoning-tree.js";
import type { RolloutFormatOptions, RolloutLineReader } from "./rollout-formats.js";
import type { RolloutRecord } from "./rollout-record.js";
import type { IbScoreOptions } from "./score-options.js";
import { type IbParts, scoreTree, type TreeScore } from "./score-tree.js";

/**
 * Scores of a node or a tree with the field names of the JSON output; null where the value is
 * undefined (a collapsed tree) or needs log-probs the input did not carry.
 */
export interface ReportedParts {
  readonly ib_score: number | null;
  readonly H: number | null;
  readonly I: number | null;
  readonly cov: number | null;
  readonly confidence: number | null;
}

/** The per-prompt result of `ib-score analyze`, with the field names of its JSON output. */
export interface PromptReport extends ReportedParts {
  readonly prompt_id: string;
  readonly trajectories: number;
  /** Nodes other than the root. */
  readonly nodes: number;
  readonly branching_nodes: number;
  /** Nodes in the tree's aggregate (internal nodes with >= 2 draws, or branching nodes for 'shannon'). */
  readonly scored_nodes: number;
  readonly root: ReportedParts | null;
  readonly effective: boolean;
  /** Mean reward of the prompt's trajectories. */
  readonly avg_rate: number | null;
}

const finiteOrNull = (value: number | undefined): number | null =>
  value === undefined || Number.isNaN(value) ? null : value;

/** {@link IbParts} as reported in JSON (NaN and missing become null). */
function reportedParts(parts: IbParts | null): ReportedParts {
  return {
    ib_score: finiteOrNull(parts?.ibScore),
    H: finiteOrNull(parts?.H),
    I: finiteOrNull(parts?.I),
    cov: finiteOrNull(parts?.cov),
    confidence: finiteOrNull(parts?.confidence),
  };
}

/** The JSON report of one scored tree. */
export function promptReport(score: TreeScore): PromptReport {
  return {
    prompt_id: score.promptId,
    trajectories: score.trajectories,
    nodes: score.nodes,
    branching_nodes: score.branchingNodes,
    ...reportedParts(score.tree),
    root: score.root === null ? null : reportedParts(score.root),
    effective: score.effective,
    scored_nodes: score.scoredNodes,
    avg_rate: finiteOrNull(score.avgRate),
  };
}

export interface RolloutAnalyzerOptions extends IbScoreOptions, RolloutFormatOptions {
  /** Parses the lines (`analyzeRolloutLines`); by default one made from the format options. */
  readonly reader?: RolloutLineReader;
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
  /** Receives each tree with its score and report before the tree is dropped (for a viewer). */
  readonly onTree?: (tree: ReasoningTree, score: TreeScore, report: PromptReport) => void;
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
    const report = promptReport(score);
    this.options.onTree?.(tree, score, report);
    if (this.options.onPrompt === undefined) this.reports.push(report);
    else this.options.onPrompt(report);
  }
}
