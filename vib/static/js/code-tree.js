// The scheme's codes as the side panel's code menu lists them: each code followed by its subcodes
// (a code's `parent` is another code's id), in the scheme's order, indented by depth.

// Codes in tree order with their depth. A code whose parent is not in the list stands at the top.
export function codeTree(codes) {
  const ids = new Set(codes.map((c) => c.id));
  const children = new Map();
  for (const code of codes) {
    const parent = code.parent && ids.has(code.parent) ? code.parent : null;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(code);
  }
  const ordered = [];
  const walk = (parent, depth) => {
    for (const code of children.get(parent) ?? []) {
      ordered.push({ code, depth });
      walk(code.id, depth + 1);
    }
  };
  walk(null, 0);
  return ordered;
}

// An option's text: options cannot be styled with padding everywhere, so subcodes are indented with
// no-break spaces; the hotkey follows in brackets.
export const optionLabel = ({ code, depth }) => `${"\u00a0\u00a0\u00a0".repeat(depth)}${code.label}${code.hotkey ? ` (${code.hotkey})` : ""}`;
