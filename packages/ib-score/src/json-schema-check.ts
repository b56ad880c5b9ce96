import type { JsonSchema } from "./rollout-format-schemas.js";

// Keywords that describe rather than constrain.
const annotations = new Set(["$schema", "title", "description", "default", "examples"]);

const typeOf = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;

const hasType = (value: unknown, type: string) =>
  type === "number" ? typeof value === "number" : typeOf(value) === type;

/**
 * The problems of `value` against `schema`, each `path: what is wrong` (empty when it conforms).
 * Covers the JSON Schema keywords the shipped schemas use (type, enum, const, properties,
 * required, additionalProperties, propertyNames, items, minItems, maxItems, minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum, minLength, anyOf); any other keyword is an error, so a
 * schema this does not understand is never passed silently.
 *
 * @example
 * checkJsonSchema({ reward: 2 }, rolloutFormatJsonSchemas.tokens); // ["$: missing prompt_id", ...]
 */
export function checkJsonSchema(value: unknown, schema: JsonSchema, path = "$"): string[] {
  const problems: string[] = [];
  for (const [keyword, rule] of Object.entries(schema)) {
    if (annotations.has(keyword)) continue;
    switch (keyword) {
      case "type": {
        const types = Array.isArray(rule) ? (rule as string[]) : [rule as string];
        if (!types.some((type) => hasType(value, type))) problems.push(`${path}: expected ${types.join(" or ")}`);
        break;
      }
      case "enum":
        if (!(rule as unknown[]).includes(value)) problems.push(`${path}: expected one of ${JSON.stringify(rule)}`);
        break;
      case "const":
        if (value !== rule) problems.push(`${path}: expected ${JSON.stringify(rule)}`);
        break;
      case "required":
        if (typeOf(value) === "object") {
          for (const key of rule as string[]) if (!(key in (value as object))) problems.push(`${path}: missing ${key}`);
        }
        break;
      case "properties":
        if (typeOf(value) === "object") {
          for (const [key, inner] of Object.entries(rule as Record<string, JsonSchema>)) {
            const field = (value as Record<string, unknown>)[key];
            if (field !== undefined) problems.push(...checkJsonSchema(field, inner, `${path}.${key}`));
          }
        }
        break;
      case "additionalProperties":
      case "propertyNames":
        if (typeOf(value) === "object") {
          const known = Object.keys((schema.properties as object | undefined) ?? {});
          for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
            if (keyword === "propertyNames")
              problems.push(...checkJsonSchema(key, rule as JsonSchema, `${path}.${key}`));
            else if (known.includes(key)) continue;
            else if (rule === false) problems.push(`${path}: unknown key ${key}`);
            else if (typeof rule === "object")
              problems.push(...checkJsonSchema(field, rule as JsonSchema, `${path}.${key}`));
          }
        }
        break;
      case "items":
        if (Array.isArray(value)) {
          value.forEach((item, index) => {
            problems.push(...checkJsonSchema(item, rule as JsonSchema, `${path}[${index}]`));
          });
        }
        break;
      case "minItems":
      case "maxItems":
        if (
          Array.isArray(value) &&
          (keyword === "minItems" ? value.length < (rule as number) : value.length > (rule as number))
        ) {
          problems.push(`${path}: ${keyword} ${rule as number}, got ${value.length}`);
        }
        break;
      case "minLength":
        if (typeof value === "string" && value.length < (rule as number))
          problems.push(`${path}: shorter than ${rule as number}`);
        break;
      case "minimum":
      case "maximum":
      case "exclusiveMinimum":
      case "exclusiveMaximum": {
        if (typeof value !== "number") break;
        const bound = rule as number;
        const ok =
          keyword === "minimum"
            ? value >= bound
            : keyword === "maximum"
              ? value <= bound
              : keyword === "exclusiveMinimum"
                ? value > bound
                : value < bound;
        if (!ok) problems.push(`${path}: ${keyword} ${bound}, got ${value}`);
        break;
      }
      case "anyOf": {
        const branches = rule as JsonSchema[];
        if (!branches.some((branch) => checkJsonSchema(value, branch, path).length === 0)) {
          problems.push(`${path}: matches none of ${branches.length} alternatives`);
        }
        break;
      }
      default:
        throw new Error(`checkJsonSchema: keyword "${keyword}" at ${path} is not supported`);
    }
  }
  return problems;
}
