/**
 * OData `$filter` for Graph's users, as the directory runs it: `eq`, `ne`, `ge`, `le`, `in`,
 * `startsWith`, `endsWith`, `not`, `and`, `or`, parentheses and `null`. Which property
 * allows which operator, and which need the advanced query parameters, comes from
 * graph-user.ts. Lambdas (`any`, `all`) and arithmetic are not supported.
 */
import { type GraphError, graphErrors } from "./graph-errors.ts";
import { findUserProperty, type PropertyValue, type UserProperty } from "./graph-user.ts";
import type { TestUser } from "./types.ts";

type Literal =
  | { type: "Edm.String"; value: string }
  | { type: "Edm.Boolean"; value: boolean }
  | { type: "Edm.Int32" | "Edm.Double"; value: number }
  | { type: "null" };

type CompareOp = "eq" | "ne" | "ge" | "le" | "gt" | "lt";

export type FilterNode =
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; operand: FilterNode }
  | { kind: "compare"; op: CompareOp; property: UserProperty; literal: Literal }
  | { kind: "in"; property: UserProperty; literals: Literal[] }
  | { kind: "startsWith" | "endsWith"; property: UserProperty; value: string };

interface Token {
  kind: "word" | "string" | "number" | "punct";
  text: string;
  /** The string literal's value (quotes removed, '' unescaped). */
  value?: string;
  position: number;
}

const operatorKinds: Record<CompareOp, string> = {
  eq: "Equal",
  ne: "NotEqual",
  ge: "GreaterThanOrEqual",
  le: "LessThanOrEqual",
  gt: "GreaterThan",
  lt: "LessThan",
};
/** OData functions Graph parses but the directory does not run on users. */
const unsupportedFunctions = new Set(["contains", "substringof", "tolower", "toupper", "trim"]);
/** Bounds what one request can make the parser do. */
const maxNodes = 100;
const maxOrClauses = 15;

/** Parses `$filter`; throws Graph's 400 for bad syntax, unknown properties or types. */
export function parseFilter(filter: string): FilterNode {
  return new FilterParser(filter).parse();
}

class FilterParser {
  readonly #filter: string;
  readonly #tokens: Token[];
  #index = 0;
  #nodes = 0;

  constructor(filter: string) {
    this.#filter = filter;
    this.#tokens = tokenize(filter, (position) => this.#syntaxError(position));
  }

  parse(): FilterNode {
    if (this.#tokens.length === 0) this.#syntaxError(0);
    const node = this.#parseOr(0);
    const extra = this.#peek();
    if (extra) this.#syntaxError(extra.position);
    return node;
  }

  #parseOr(depth: number): FilterNode {
    let node = this.#parseAnd(depth);
    while (this.#keyword("or"))
      node = this.#node({ kind: "or", left: node, right: this.#parseAnd(depth) });
    return node;
  }

  #parseAnd(depth: number): FilterNode {
    let node = this.#parseUnary(depth);
    while (this.#keyword("and")) {
      node = this.#node({ kind: "and", left: node, right: this.#parseUnary(depth) });
    }
    return node;
  }

  #parseUnary(depth: number): FilterNode {
    if (depth > 32) throw this.#invalid("The node count limit of '100' has been exceeded.");
    if (this.#keyword("not"))
      return this.#node({ kind: "not", operand: this.#parseUnary(depth + 1) });
    if (this.#punct("(")) {
      const node = this.#parseOr(depth + 1);
      this.#expectPunct(")");
      return node;
    }
    const name = this.#next();
    if (name?.kind !== "word") this.#syntaxError(name?.position ?? this.#filter.length);
    if (this.#punct("(")) return this.#parseFunction(name.text);
    const property = this.#property(name.text);
    if (this.#peek()?.text === "/") throw graphErrors.unsupportedProperty(property.name);
    const operator = this.#next();
    const op = operator?.kind === "word" ? operator.text.toLowerCase() : "";
    if (op === "in") return this.#parseIn(property);
    if (!(op in operatorKinds)) this.#syntaxError(operator?.position ?? this.#filter.length);
    const literal = this.#literal();
    this.#checkType(property, literal, operatorKinds[op as CompareOp]);
    return this.#node({ kind: "compare", op: op as CompareOp, property, literal });
  }

  #parseFunction(name: string): FilterNode {
    const lower = name.toLowerCase();
    if (lower !== "startswith" && lower !== "endswith" && !unsupportedFunctions.has(lower)) {
      throw this.#invalid(
        `An unknown function with name '${name}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`,
      );
    }
    const argument = this.#next();
    if (argument?.kind !== "word") this.#syntaxError(argument?.position ?? this.#filter.length);
    const property = this.#property(argument.text);
    this.#expectPunct(",");
    const literal = this.#literal();
    this.#expectPunct(")");
    if (unsupportedFunctions.has(lower)) throw graphErrors.unsupportedProperty(property.name);
    if (literal.type !== "Edm.String") {
      throw this.#invalid(
        `No function signature for the function with name '${name}' matches the specified arguments. The function signatures considered are: ${name}(Edm.String Nullable=true, Edm.String Nullable=true).`,
      );
    }
    if (property.type !== "Edm.String") throw graphErrors.unsupportedProperty(property.name);
    const kind = lower === "startswith" ? "startsWith" : "endsWith";
    return this.#node({ kind, property, value: literal.value });
  }

  #parseIn(property: UserProperty): FilterNode {
    this.#expectPunct("(");
    const literals = [this.#literal()];
    while (this.#punct(",")) literals.push(this.#literal());
    this.#expectPunct(")");
    for (const literal of literals) this.#checkType(property, literal, "Equal");
    if (literals.length > maxOrClauses) throw graphErrors.tooManyClauses(literals.length);
    return this.#node({ kind: "in", property, literals });
  }

  #property(name: string): UserProperty {
    const property = findUserProperty(name);
    if (!property) {
      throw this.#invalid(
        `Could not find a property named '${name}' on type 'microsoft.graph.user'.`,
      );
    }
    return property;
  }

  #literal(): Literal {
    const token = this.#next();
    if (!token) this.#syntaxError(this.#filter.length);
    if (token.kind === "string") return { type: "Edm.String", value: token.value ?? "" };
    if (token.kind === "number") {
      const integer = /^-?\d+$/.test(token.text);
      return { type: integer ? "Edm.Int32" : "Edm.Double", value: Number(token.text) };
    }
    const word = token.kind === "word" ? token.text : "";
    if (word === "null") return { type: "null" };
    if (word === "true" || word === "false") return { type: "Edm.Boolean", value: word === "true" };
    return this.#syntaxError(token.position);
  }

  #checkType(property: UserProperty, literal: Literal, operatorKind: string): void {
    if (literal.type === "null") return;
    const expected = property.type === "Edm.Boolean" ? "Edm.Boolean" : "Edm.String";
    if (property.type === "Collection(Edm.String)")
      throw graphErrors.unsupportedProperty(property.name);
    if (literal.type !== expected) {
      throw this.#invalid(
        `A binary operator with incompatible types was detected. Found operand types '${property.type}' and '${literal.type}' for operator kind '${operatorKind}'.`,
      );
    }
  }

  #node(node: FilterNode): FilterNode {
    this.#nodes += 1;
    if (this.#nodes > maxNodes)
      throw this.#invalid("The node count limit of '100' has been exceeded.");
    return node;
  }

  #peek(): Token | undefined {
    return this.#tokens[this.#index];
  }

  #next(): Token | undefined {
    const token = this.#tokens[this.#index];
    if (token) this.#index += 1;
    return token;
  }

  #keyword(word: string): boolean {
    const token = this.#peek();
    if (token?.kind !== "word" || token.text.toLowerCase() !== word) return false;
    this.#index += 1;
    return true;
  }

  #punct(text: string): boolean {
    const token = this.#peek();
    if (token?.kind !== "punct" || token.text !== text) return false;
    this.#index += 1;
    return true;
  }

  #expectPunct(text: string): void {
    if (!this.#punct(text)) this.#syntaxError(this.#peek()?.position ?? this.#filter.length);
  }

  #invalid(detail: string): GraphError {
    return graphErrors.badQuery(`Invalid filter clause: ${detail}`);
  }

  #syntaxError(position: number): never {
    throw this.#invalid(`Syntax error at position ${position} in '${this.#filter}'.`);
  }
}

function tokenize(filter: string, syntaxError: (position: number) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const char = filter[i]!;
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === "'") {
      // OData string literal: a quote inside is doubled.
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= filter.length) {
          throw graphErrors.badQuery(
            `Invalid filter clause: There is an unterminated string literal at position ${i} in '${filter}'.`,
          );
        }
        if (filter[j] === "'") {
          if (filter[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += filter[j];
        j += 1;
      }
      tokens.push({ kind: "string", text: filter.slice(i, j + 1), value, position: i });
      i = j + 1;
    } else if ("(),/:".includes(char)) {
      tokens.push({ kind: "punct", text: char, position: i });
      i += 1;
    } else {
      const match = /^(-?\d+(\.\d+)?(?![\w.])|[A-Za-z_][\w.]*)/.exec(filter.slice(i));
      if (!match) syntaxError(i);
      const text = match[0];
      tokens.push({ kind: /^-?\d/.test(text) ? "number" : "word", text, position: i });
      i += text.length;
    }
  }
  return tokens;
}

/** The properties a filter reads: with only the basic profile, each must be basic. */
export function filterProperties(node: FilterNode): UserProperty[] {
  switch (node.kind) {
    case "and":
    case "or":
      return [...filterProperties(node.left), ...filterProperties(node.right)];
    case "not":
      return filterProperties(node.operand);
    default:
      return [node.property];
  }
}

/**
 * Throws Graph's 400 for what the directory does not run: an operator the property does
 * not support, or one that needs `ConsistencyLevel: eventual` and `$count=true` when
 * `advanced` is false; more than 15 clauses joined by `or`.
 */
export function checkFilter(node: FilterNode, advanced: boolean): void {
  const allowed = (mode: string | undefined) =>
    mode === "default" || (mode !== undefined && advanced);
  switch (node.kind) {
    case "and":
      checkFilter(node.left, advanced);
      checkFilter(node.right, advanced);
      return;
    case "or": {
      const clauses = orClauses(node);
      if (clauses.length > maxOrClauses) throw graphErrors.tooManyClauses(clauses.length);
      for (const clause of clauses) checkFilter(clause, advanced);
      return;
    }
    case "not":
      if (!advanced) throw graphErrors.needsAdvancedQuery("not");
      checkFilter(node.operand, advanced);
      return;
    case "in":
      if (!allowed(node.property.filter.eq))
        throw graphErrors.unsupportedProperty(node.property.name);
      return;
    case "startsWith":
      if (!allowed(node.property.filter.startsWith)) {
        throw graphErrors.unsupportedProperty(node.property.name);
      }
      return;
    case "endsWith":
      if (node.property.filter.endsWith === undefined) {
        throw graphErrors.unsupportedProperty(node.property.name);
      }
      if (!advanced) throw graphErrors.needsAdvancedQuery("endsWith");
      return;
    case "compare": {
      const { op, property, literal } = node;
      const support =
        op === "eq" || op === "ne"
          ? literal.type === "null"
            ? property.filter.eqNull
            : property.filter.eq
          : op === "ge" || op === "le"
            ? property.filter.range
            : undefined;
      // `ne` is an advanced-only operator on every property that supports `eq`.
      if (!allowed(support) || (op === "ne" && !advanced)) {
        throw graphErrors.unsupportedProperty(property.name);
      }
    }
  }
}

function orClauses(node: FilterNode): FilterNode[] {
  return node.kind === "or" ? [...orClauses(node.left), ...orClauses(node.right)] : [node];
}

/** Directory string comparisons ignore case. */
export function matchesFilter(node: FilterNode, user: TestUser): boolean {
  switch (node.kind) {
    case "and":
      return matchesFilter(node.left, user) && matchesFilter(node.right, user);
    case "or":
      return matchesFilter(node.left, user) || matchesFilter(node.right, user);
    case "not":
      return !matchesFilter(node.operand, user);
    case "in": {
      const value = node.property.value(user);
      return node.literals.some((literal) => compare("eq", value, literal));
    }
    case "startsWith":
    case "endsWith": {
      const value = node.property.value(user);
      if (typeof value !== "string") return false;
      const [subject, affix] = [value.toLowerCase(), node.value.toLowerCase()];
      return node.kind === "startsWith" ? subject.startsWith(affix) : subject.endsWith(affix);
    }
    case "compare":
      return compare(node.op, node.property.value(user), node.literal);
  }
}

function compare(op: CompareOp, value: PropertyValue, literal: Literal): boolean {
  if (literal.type === "null") return op === "eq" ? value === null : op === "ne" && value !== null;
  if (value === null || Array.isArray(value)) return op === "ne";
  const [left, right] =
    typeof value === "string"
      ? [value.toLowerCase(), String(literal.value).toLowerCase()]
      : [value, literal.value];
  switch (op) {
    case "eq":
      return left === right;
    case "ne":
      return left !== right;
    case "ge":
      return left >= right;
    case "le":
      return left <= right;
    default:
      return false;
  }
}
