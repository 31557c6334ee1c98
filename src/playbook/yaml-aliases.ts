import { isAlias, isNode, visit, type Document, type Node } from 'yaml';

/**
 * YAML aliases that cannot be turned into data: an alias of an anchor not yet set, an alias
 * inside its own anchor (endless), or aliases that expand past a limit (an "alias bomb"). The
 * `yaml` library throws on these without a position; this finds the alias to point at.
 */

/** Aliases expanded at most this many times in all; real playbooks use a handful. */
export const MAX_ALIAS_COUNT = 100;

export interface AliasProblem {
  offset: number;
  message: string;
}

export function aliasProblem(doc: Document): AliasProblem | undefined {
  const anchored = new Map<string, Node>();
  let found: AliasProblem | undefined;
  let count = 0;
  visit(doc, {
    Node(_key, node) {
      if (found) return visit.BREAK;
      if (isAlias(node)) {
        count++;
        const target = anchored.get(node.source);
        const at = node.range?.[0] ?? 0;
        if (!target) found = { offset: at, message: `YAML alias *${node.source} has no anchor &${node.source} before it` };
        else if (target.range && at >= target.range[0] && at < target.range[1]) found = { offset: at, message: `YAML alias *${node.source} is inside its own anchor (endless)` };
        return undefined;
      }
      if (isNode(node) && node.anchor) anchored.set(node.anchor, node);
      return undefined;
    },
  });
  if (found) return found;
  if (count === 0) return undefined;
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return undefined;
  } catch {
    let first = 0;
    visit(doc, {
      Alias(_key, node) {
        first = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    return { offset: first, message: `YAML aliases expand too far (more than ${MAX_ALIAS_COUNT} expansions): refused` };
  }
}
