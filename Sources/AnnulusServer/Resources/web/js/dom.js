// Small DOM helpers. Text always goes in as text nodes (never innerHTML), so nothing from a file or a user can
// become markup. Styles are set through the CSSOM (the Content-Security-Policy refuses style attributes).

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'style') Object.assign(el.style, value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' && 'value' in el) el.value = value;
    else if (key === 'checked' || key === 'selected' || key === 'disabled') el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Creates an HTML element: h('button', {class: 'primary', onclick: f}, 'Sign'). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** Creates an SVG element. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** Removes every child of an element. */
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

let idCounter = 0;
/** A page-unique id for label/input pairs. */
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A status badge that never relies on colour alone: an icon character and the word. */
export function badge(status, text = status) {
  const icons = { draft: '✎', signed: '✔', retracted: '⊘', candidate: '✔', 'not-candidate': '✖', undetermined: '?',
    urgent: '!', warning: '⚠', pending: '…', delivered: '✔', failed: '✖' };
  return h('span', { class: ['badge', `badge-${status}`] }, h('span', { 'aria-hidden': 'true' }, icons[status] || '•'),
    ' ', text);
}

/** Formats an ISO time as local date and time, e.g. 2026-12-06 14:03. */
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
