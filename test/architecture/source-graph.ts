/**
 * The facts layers.test.ts checks, as pure functions of source text: what a file imports (static,
 * type-only, re-exports, dynamic import() and import("x") types), where it names the Bun or Deno
 * globals, how long it is; which files import each other round a loop; which imports cross the
 * layers of DESIGN.md. Parsed with the TypeScript compiler's own parser, so comments and strings
 * never count.
 */
import ts from "typescript";

export interface Import {
  /** As written: "./x.ts", "node:fs", "ioredis". */
  specifier: string;
  line: number;
}

/** Every module a file imports, whatever the form; type-only ties count as much as run-time ones. */
export function importsOf(fileName: string, text: string): Import[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Import[] = [];
  const add = (node: ts.Node, specifier: ts.Node | undefined) => {
    if (specifier && ts.isStringLiteralLike(specifier))
      found.push({ specifier: specifier.text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      add(node, node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const RUNTIME_GLOBALS = new Set(["Bun", "Deno"]);
const GLOBAL_OBJECTS = new Set(["globalThis", "window", "self", "global"]);

/** Lines where a file names the Bun or Deno global (`Bun.spawn`, `typeof Deno`, `globalThis.Bun`, `globalThis["Deno"]`). */
export function runtimeGlobalsIn(fileName: string, text: string): { name: string; line: number }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: { name: string; line: number }[] = [];
  const at = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const onGlobal = (e: ts.Expression): boolean => {
    // `(globalThis as any).Bun`: look through the parentheses and casts.
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isTypeAssertionExpression(e) || ts.isNonNullExpression(e))
      e = e.expression;
    return ts.isIdentifier(e) && GLOBAL_OBJECTS.has(e.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && RUNTIME_GLOBALS.has(node.text) && isReference(node, onGlobal))
      found.push({ name: node.text, line: at(node) });
    if (
      ts.isElementAccessExpression(node) &&
      onGlobal(node.expression) &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      RUNTIME_GLOBALS.has(node.argumentExpression.text)
    )
      found.push({ name: node.argumentExpression.text, line: at(node) });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** True unless the identifier is only a name: `x.Bun` on an ordinary object, a property key, a declaration's own name. */
function isReference(node: ts.Identifier, onGlobal: (e: ts.Expression) => boolean): boolean {
  const parent = node.parent;
  if (
    (ts.isPropertyAccessExpression(parent) || ts.isQualifiedName(parent)) &&
    (ts.isPropertyAccessExpression(parent) ? parent.name : parent.right) === node
  )
    return ts.isPropertyAccessExpression(parent) && onGlobal(parent.expression);
  if (
    (ts.isPropertyAssignment(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isMethodDeclaration(parent)) &&
    parent.name === node
  )
    return false;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return false;
  return true;
}

/** Lines as `wc -l` counts them. */
export const lineCount = (text: string): number => (text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0));

/**
 * Every knot of files that import each other (directly or round a loop), each printed as its
 * shortest loop ("a -> b -> a") and, when more files are caught in it, the whole group.
 */
export function importLoops(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const loops: string[] = [];
  for (const group of stronglyConnected(graph)) {
    const start = group[0]!;
    const selfLoop = group.length === 1 && (graph.get(start) ?? []).includes(start);
    if (!(group.length > 1 || selfLoop)) continue;
    const loop = pathBack(graph, start, new Set(group));
    // The loop shown is the shortest; name the whole knot when more files are caught in it.
    loops.push(
      loop.length - 1 < group.length
        ? `${loop.join(" -> ")} (one loop of ${group.length} files tied together: ${group.join(", ")})`
        : loop.join(" -> "),
    );
  }
  return loops.sort();
}

/** Tarjan's algorithm: groups of files each reachable from every other (recursive: src/ is a few hundred files deep at most). */
function stronglyConnected(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      groups.push(group.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return groups;
}

/** A shortest path from `start` back to itself inside `group` (breadth first). */
function pathBack(graph: ReadonlyMap<string, readonly string[]>, start: string, group: ReadonlySet<string>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!group.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at = v; at !== start; at = cameFrom.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
