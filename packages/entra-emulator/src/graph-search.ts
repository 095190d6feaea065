/**
 * `$search` on Graph's users: `"property:text"` clauses joined by upper-case `AND` / `OR`,
 * with parentheses. On displayName the directory matches words, not substrings: the value
 * and the text are split into tokens (spaces, lower→upper case changes, letters↔digits,
 * symbols) and each token of the text must begin a token of the value, in any order. On
 * other properties a clause means startsWith. Graph runs it only with
 * `ConsistencyLevel: eventual` (checked by the caller).
 */
import { graphErrors } from "./graph-errors.ts";
import { findUserProperty, type UserProperty } from "./graph-user.ts";
import type { TestUser } from "./types.ts";

export type SearchNode =
  | { kind: "and" | "or"; left: SearchNode; right: SearchNode }
  | { kind: "clause"; property: UserProperty; text: string };

const maxClauses = 15;

/** Parses `$search`; throws Graph's 400 naming the offending character or property. */
export function parseSearch(search: string): SearchNode {
  let i = 0;
  let clauses = 0;
  const syntaxError = (position: number): never => {
    const character = search[position] ?? "";
    throw graphErrors.badQuery(
      `Syntax error: character '${character}' is not valid at position ${position} in '${search}'.`,
    );
  };
  const skipSpace = () => {
    while (i < search.length && /\s/.test(search[i]!)) i += 1;
  };
  const keyword = (word: "AND" | "OR") => {
    skipSpace();
    // Case-sensitive, as Graph demands: `and` inside the text is just a word.
    if (search.startsWith(word, i) && /[\s("]/.test(search[i + word.length] ?? "")) {
      i += word.length;
      return true;
    }
    return false;
  };
  const parseOr = (depth: number): SearchNode => {
    let node = parseAnd(depth);
    while (keyword("OR")) node = { kind: "or", left: node, right: parseAnd(depth) };
    return node;
  };
  const parseAnd = (depth: number): SearchNode => {
    let node = parsePrimary(depth);
    while (keyword("AND")) node = { kind: "and", left: node, right: parsePrimary(depth) };
    return node;
  };
  const parsePrimary = (depth: number): SearchNode => {
    skipSpace();
    if (depth > 16) syntaxError(i);
    if (search[i] === "(") {
      i += 1;
      const node = parseOr(depth + 1);
      skipSpace();
      if (search[i] !== ")") syntaxError(i);
      i += 1;
      return node;
    }
    if (search[i] !== '"') syntaxError(i);
    const start = i;
    let clause = "";
    i += 1;
    for (;;) {
      if (i >= search.length) syntaxError(start);
      const char = search[i]!;
      if (char === '"') break;
      // Inside a clause, a double quote or a backslash is escaped with a backslash.
      if (char === "\\" && (search[i + 1] === '"' || search[i + 1] === "\\")) {
        clause += search[i + 1];
        i += 2;
        continue;
      }
      clause += char;
      i += 1;
    }
    i += 1;
    clauses += 1;
    if (clauses > maxClauses) throw graphErrors.tooManyClauses(clauses);
    return searchClause(clause);
  };

  const node = parseOr(0);
  skipSpace();
  if (i < search.length) syntaxError(i);
  return node;
}

function searchClause(clause: string): SearchNode {
  const colon = clause.indexOf(":");
  if (colon <= 0) {
    throw graphErrors.unsupportedQuery(
      `Invalid $search clause '${clause}': a clause names the property to search, e.g. "displayName:${clause}".`,
    );
  }
  const name = clause.slice(0, colon).trim();
  const property = findUserProperty(name);
  // Any string property that $filter can use can be searched.
  if (property?.type !== "Edm.String" || !property.filter.eq) {
    throw graphErrors.unsupportedProperty(property?.name ?? name);
  }
  return { kind: "clause", property, text: clause.slice(colon + 1) };
}

export function searchProperties(node: SearchNode): UserProperty[] {
  return node.kind === "clause"
    ? [node.property]
    : [...searchProperties(node.left), ...searchProperties(node.right)];
}

export function matchesSearch(node: SearchNode, user: TestUser): boolean {
  switch (node.kind) {
    case "and":
      return matchesSearch(node.left, user) && matchesSearch(node.right, user);
    case "or":
      return matchesSearch(node.left, user) || matchesSearch(node.right, user);
    case "clause": {
      const value = node.property.value(user);
      if (typeof value !== "string") return false;
      if (!node.property.tokenizedSearch) {
        return value.toLowerCase().startsWith(node.text.trim().toLowerCase());
      }
      const words = searchTokens(value);
      return searchTokens(node.text).every((token) => words.some((word) => word.startsWith(token)));
    }
  }
}

/**
 * The directory's tokenization: `Hello World` → hello, world; `HelloWorld` → hello, world
 * (only lower→upper starts a word: `HELLOworld` is one); `hello123` → hello, 123; symbols
 * are tokens of their own and also join their neighbours: `hello.world` → hello, ., world,
 * helloworld.
 */
export function searchTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const parts = (word.match(tokenPattern) ?? []).map((part) => part.toLowerCase());
    tokens.push(...parts);
    const joined = parts.filter((part) => /[\p{L}\p{N}]/u.test(part));
    if (joined.length > 1 && joined.length < parts.length) tokens.push(joined.join(""));
  }
  return tokens;
}

/** Upper case then lower (`Hello`, `HELLOworld`), lower, caseless letters, digits, a symbol. */
const tokenPattern = /\p{Lu}+\p{Ll}*|\p{Ll}+|(?:(?![\p{Lu}\p{Ll}])\p{L})+|\p{N}+|[^\p{L}\p{N}]/gu;
