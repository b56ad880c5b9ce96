import { TreeSamplerError } from "./errors.js";
import {
  type ResolvedSamplerKindOptions,
  SAMPLER_OPTION_SPECS,
  type SamplerKind,
  type SamplerKindOptions,
  type SamplerOptionSpec,
} from "./sampler-option-specs.js";

function describeRange(spec: SamplerOptionSpec): string {
  switch (spec.kind) {
    case "integer": {
      const upper = spec.max === undefined ? "" : ` and <= ${spec.max}`;
      return `an integer >= ${spec.min}${upper}${spec.unlimited ? " (or Infinity)" : ""}`;
    }
    case "number": {
      const lower = spec.min === undefined ? "" : ` ${spec.exclusiveMin === true ? ">" : ">="} ${spec.min}`;
      const upper = spec.max === undefined ? "" : ` <= ${spec.max}`;
      return `a finite number${lower}${lower !== "" && upper !== "" ? " and" : ""}${upper}`;
    }
    case "choice":
      return `one of ${spec.choices.map((choice) => `'${choice}'`).join(", ")}`;
    case "boolean":
      return "true or false";
  }
}

/** True when `value` is allowed for the option `spec` describes. */
export function isValidOptionValue(spec: SamplerOptionSpec, value: unknown): boolean {
  switch (spec.kind) {
    case "integer":
      if (value === Number.POSITIVE_INFINITY) return spec.unlimited;
      return (
        Number.isInteger(value) &&
        (value as number) >= spec.min &&
        (spec.max === undefined || (value as number) <= spec.max)
      );
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) return false;
      const aboveMin = spec.min === undefined || (spec.exclusiveMin === true ? value > spec.min : value >= spec.min);
      return aboveMin && (spec.max === undefined || value <= spec.max);
    }
    case "choice":
      return typeof value === "string" && spec.choices.includes(value);
    case "boolean":
      return typeof value === "boolean";
  }
}

/**
 * A sampler's options with every absent one set to its default from {@link SAMPLER_OPTION_SPECS};
 * an unknown key or a value out of range is a {@link TreeSamplerError} naming the option.
 *
 * @example
 * resolveSamplerOptions("ib-tree", { branches: 2 }).initialChains; // 4
 * resolveSamplerOptions("ib-tree", { branchs: 2 }); // throws: option branchs: not an option of sampler ib-tree; ...
 */
export function resolveSamplerOptions<Kind extends SamplerKind>(
  kind: Kind,
  options: SamplerKindOptions<Kind> = {},
): ResolvedSamplerKindOptions<Kind> {
  const specs: readonly SamplerOptionSpec[] = SAMPLER_OPTION_SPECS[kind];
  if (specs === undefined) throw new TreeSamplerError(`unknown sampler kind '${String(kind)}'`, "option kind");
  const given = options as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(given)) {
    if (key !== "kind" && !specs.some((spec) => spec.name === key)) {
      throw new TreeSamplerError(
        `not an option of sampler ${kind}; its options: ${specs.map((spec) => spec.name).join(", ")}`,
        `option ${key}`,
      );
    }
  }
  const resolved: Record<string, unknown> = {};
  for (const spec of specs) {
    const value = given[spec.name] ?? spec.default;
    if (!isValidOptionValue(spec, value)) {
      throw new TreeSamplerError(`must be ${describeRange(spec)}, got ${String(value)}`, `option ${spec.name}`);
    }
    resolved[spec.name] = value;
  }
  return resolved as ResolvedSamplerKindOptions<Kind>;
}
