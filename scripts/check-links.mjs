#!/usr/bin/env node
// Fails when a relative link or anchor in a Markdown file of the repository does not resolve.
// Offline on purpose: external URLs are not fetched (CI has no network beyond package registries),
// so only what the repository itself can break is checked. Files tracked by git are the input,
// so build output, runs and node_modules never count.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(markdown) {
  const anchors = new Set();
  const seen = new Map();
  for (const line of withoutFences(markdown).split("\n")) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Blanks fenced code blocks, keeping line numbers. */
function withoutFences(markdown) {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, " "));
}

/** Blanks code blocks and inline code, keeping line numbers, so their contents are not read as links. */
function withoutCode(markdown) {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, (span) => " ".repeat(span.length));
}

/** Every link target of a Markdown text with its line number: inline `[t](x)`, images, and `[t]: x`. */
export function linkTargets(markdown) {
  const text = withoutCode(markdown);
  const targets = [];
  const patterns = [/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g, /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const line = text.slice(0, match.index).split("\n").length;
      targets.push({ target: match[1], line });
    }
  }
  return targets;
}

function isExternal(target) {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");
}

/** Problems of one Markdown file, as `file:line: message` strings. */
export function checkFile(file, readText = (path) => readFileSync(path, "utf8")) {
  const problems = [];
  for (const { target, line } of linkTargets(readText(file))) {
    if (isExternal(target)) continue;
    const [pathPart, anchor] = target.split("#", 2);
    const path = decodeURIComponent(pathPart ?? "");
    const resolved = path === "" ? file : path.startsWith("/") ? join(root, path) : resolve(dirname(file), path);
    const where = `${relative(root, file)}:${line}`;
    if (!existsSync(resolved)) {
      problems.push(`${where}: link target ${target} does not exist`);
      continue;
    }
    if (anchor === undefined || anchor === "") continue;
    if (!resolved.endsWith(".md") || statSync(resolved).isDirectory()) continue;
    if (!headingAnchors(readText(resolved)).has(anchor.toLowerCase())) {
      problems.push(`${where}: anchor #${anchor} is not a heading of ${relative(root, resolved)}`);
    }
  }
  return problems;
}

function markdownFiles() {
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.md"], {
    cwd: root,
    encoding: "utf8",
  });
  return listed
    .split("\n")
    .filter((name) => name !== "" && !name.includes("node_modules/"))
    .map((name) => join(root, name))
    .filter((path) => existsSync(path));
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const files = markdownFiles();
  const problems = files.flatMap((file) => checkFile(file));
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`check-links: ${problems.length} broken link(s) in ${files.length} Markdown files`);
    process.exit(1);
  }
  console.log(`check-links: all relative links and anchors of ${files.length} Markdown files resolve`);
}
