// Keyboard shortcuts: a registry of key → action with a description, scoped so that a view's keys go away with
// it, and the help dialog (?) listing what is active. Keys never fire while typing in a form field.

const bindings = new Map(); // key → [{description, handler, scope}]

function isTyping(event) {
  const t = event.target;
  return t instanceof HTMLElement &&
    (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)) &&
    !(t instanceof HTMLInputElement && ['range', 'checkbox', 'radio', 'button'].includes(t.type));
}

function keyName(event) {
  const parts = [];
  if (event.ctrlKey) parts.push('Ctrl');
  if (event.altKey) parts.push('Alt');
  let key = event.key.length === 1 ? event.key : event.key;
  if (event.shiftKey && key.length > 1) parts.push('Shift');
  parts.push(key);
  return parts.join('+');
}

/**
 * Binds `key` (as KeyboardEvent.key, with Ctrl+/Alt+/Shift+ prefixes for non-character keys: 'ArrowUp', 'j',
 * 'Shift+ArrowUp', '?') in `scope`; returns the unbind function.
 */
export function bind(key, description, handler, scope = 'global') {
  const list = bindings.get(key) || [];
  const entry = { description, handler, scope };
  list.push(entry);
  bindings.set(key, list);
  return () => {
    const l = bindings.get(key) || [];
    const i = l.indexOf(entry);
    if (i >= 0) l.splice(i, 1);
  };
}

/** Removes every binding of a scope (a view going away). */
export function unbindScope(scope) {
  for (const [key, list] of bindings) bindings.set(key, list.filter((b) => b.scope !== scope));
}

/** The active bindings, for the help dialog: [[key, description]]. */
export function active() {
  const rows = [];
  for (const [key, list] of bindings) {
    const last = list[list.length - 1];
    if (last) rows.push([key, last.description]);
  }
  return rows.sort((a, b) => a[1].localeCompare(b[1]));
}

document.addEventListener('keydown', (event) => {
  if (event.defaultPrevented || isTyping(event)) return;
  if (document.querySelector('dialog[open]') && event.key !== 'Escape') return;
  const list = bindings.get(keyName(event));
  const entry = list && list[list.length - 1];
  if (!entry) return;
  event.preventDefault();
  entry.handler(event);
});
