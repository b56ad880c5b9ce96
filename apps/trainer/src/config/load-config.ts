import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { isMap, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError } from "./config-error.js";
import { didYouMean } from "./external-names.js";

/** A flag given on the command line: `path` is the dotted config key. */
export interface ConfigOverride {
  readonly path: string;
  readonly value: unknown;
}

interface SourcedConfig {
  readonly data: Record<string, unknown>;
  /** Line of a dotted key in the file, when known. */
  readonly lineOf: (path: readonly PropertyKey[]) => number | undefined;
  readonly file: string | undefined;
}

/** Reads a YAML or JSON config file; syntax errors name file:line. */
async function readConfigFile(file: string): Promise<SourcedConfig> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(`cannot read config file ${file}: ${error.code ?? error.message}`);
  });
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const [syntaxError] = document.errors;
  if (syntaxError !== undefined) {
    const line = lineCounter.linePos(syntaxError.pos[0]).line;
    const kind = extname(file) === ".json" ? "JSON" : "YAML";
    throw new ConfigError(`${file}:${line}: invalid ${kind}: ${syntaxError.message.split("\n")[0]}`);
  }
  const data = document.toJS() ?? {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError(`${file}:1: a config file must hold a mapping of keys to values`);
  }
  return {
    data,
    file,
    lineOf: (path) => {
      let node: unknown = document.contents;
      for (const key of path) {
        if (!isMap(node)) return undefined;
        const pair = node.items.find((item) => (item.key as { value?: unknown })?.value === key);
        if (pair === undefined) return undefined;
        node = pair.value ?? pair.key;
        if (key === path[path.length - 1]) node = pair.key;
      }
      const range = (node as { range?: [number, number, number] } | null)?.range;
      return range === undefined ? undefined : lineCounter.linePos(range[0]).line;
    },
  };
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = target;
  keys.slice(0, -1).forEach((key) => {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  });
  node[keys[keys.length - 1] as string] = value;
}

/** The keys an object schema allows at `path`, for "unknown key" messages. */
function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  const unwrap = () => {
    for (;;) {
      const def = (current as { _zod?: { def?: { innerType?: unknown } } })._zod?.def;
      if (def?.innerType === undefined) return;
      current = def.innerType;
    }
  };
  for (const key of path) {
    unwrap();
    const shape = (current as { shape?: Record<string, unknown> }).shape;
    if (shape === undefined) return [];
    current = shape[String(key)];
  }
  unwrap();
  return Object.keys((current as { shape?: Record<string, unknown> }).shape ?? {});
}

function describeIssue(
  schema: z.ZodType,
  issue: z.core.$ZodIssue,
  source: SourcedConfig,
  flagged: Set<string>,
): string {
  const keyPath = issue.path.map(String).join(".");
  const where = (path: readonly PropertyKey[]) => {
    const dotted = path.map(String).join(".");
    if (flagged.has(dotted)) return " (command line)";
    const line = source.file === undefined ? undefined : source.lineOf(path);
    return line === undefined ? "" : ` (${source.file}:${line})`;
  };
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeys(schema, issue.path);
    return issue.keys
      .map((key) => {
        const full = keyPath === "" ? key : `${keyPath}.${key}`;
        const hint = didYouMean(full);
        return `unknown config key "${full}"${where([...issue.path, key])}: ${hint === undefined ? "" : `${hint}; `}allowed keys${keyPath === "" ? "" : ` of "${keyPath}"`}: ${allowed.join(", ")}`;
      })
      .join("\n");
  }
  if (issue.code === "invalid_value") {
    return `config key "${keyPath}"${where(issue.path)}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  return `config key "${keyPath}"${where(issue.path)}: ${issue.message.replace(/^Invalid input: /, "")}`;
}

/**
 * Resolve a config: the file (YAML or JSON, optional), then command-line overrides, then schema
 * defaults. Top-level keys of the file in `derivedKeys` (what a run's config.json records beside
 * its settings) are left out, so a run's config.json is a config file too. Any problem is a
 * {@link ConfigError} naming the key, where it came from and what is allowed.
 */
export async function loadConfig<Schema extends z.ZodType>(
  schema: Schema,
  file: string | undefined,
  overrides: readonly ConfigOverride[],
  derivedKeys: readonly string[] = [],
): Promise<z.infer<Schema>> {
  const source: SourcedConfig =
    file === undefined ? { data: {}, lineOf: () => undefined, file: undefined } : await readConfigFile(file);
  const data = structuredClone(source.data);
  for (const key of derivedKeys) delete data[key];
  const flagged = new Set<string>();
  for (const override of overrides) {
    setPath(data, override.path, override.value);
    flagged.add(override.path);
  }
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => describeIssue(schema, issue, source, flagged)).join("\n"));
}
