import { analyzeRolloutLines, summaryToJson } from "./analyze-lines.js";
import type { RolloutAnalyzerOptions } from "./rollout-analyzer.js";
import { RolloutLineReader } from "./rollout-formats.js";
import { treeViewerHtml, type ViewerPrompt, viewerPrompt } from "./tree-viewer.js";

export interface TreeViewerPageOptions extends Omit<RolloutAnalyzerOptions, "onPrompt" | "onTree"> {
  /**
   * A token id's text, for formats without text (tokens): a trainer passes its tokenizer's. By
   * default the text the format carries (openai, text), else the step's token ids.
   */
  readonly textOf?: (token: number) => string | undefined;
}

/**
 * The tree-viewer page of rollout JSONL lines: the page `ib-score analyze FILE --html` writes,
 * for callers that hold the lines (a trainer saving a step's trees).
 *
 * @example
 * const html = await treeViewerPage(lines, "trees/step-000010.jsonl", { textOf: (id) => tokenizer.decode([id]) });
 */
export async function treeViewerPage(
  lines: AsyncIterable<string> | Iterable<string>,
  source: string,
  options: TreeViewerPageOptions = {},
): Promise<string> {
  const reader = options.reader ?? new RolloutLineReader(options);
  const textOf = options.textOf ?? ((token: number) => reader.textOf(token));
  const prompts: ViewerPrompt[] = [];
  const analysis = await analyzeRolloutLines(lines, source, {
    ...options,
    reader,
    onPrompt: () => {},
    onTree: (tree, score, report) => prompts.push(viewerPrompt(tree, score, report, textOf)),
  });
  return treeViewerHtml(summaryToJson(analysis.summary, reader.format), prompts);
}
