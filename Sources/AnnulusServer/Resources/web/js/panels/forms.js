// Forms generated from the API's vocabulary (GET /api/vocabulary), so that a form never offers a value the server's
// validator refuses. A field's refusal comes back as {field, message, allowed, suggestion} and is shown at that
// field, with the suggestion as a button that applies it.
//
//   fieldRow({name, label, control, help, required, unit})   a labelled row with its help and an error slot
//   createFindingFields(kindSpec, {values})                   the fields of one finding kind
//   ErrorSlots                                                 field name → where its error is shown

import { h, replace, uid } from '../dom.js';

/** A field name as compared with an error's `field`: case, hyphens and underscores ignored (tear-side = tearSide). */
export const fieldKey = (name) => String(name || '').toLowerCase().replace(/[-_\s]/g, '');

const ROMAN = ['0', 'I', 'II', 'III', 'IV', 'V'];

/** A stored value (JSON: numbers, booleans, arrays) as the word the form offers. */
function asWord(value, allowed = []) {
  if (value === true) return 'yes';
  if (value === false) return 'no';
  if (value === null || value === undefined) return '';
  const text = String(value);
  if (allowed.includes(text)) return text;
  if (typeof value === 'number' && Number.isInteger(value) && allowed.includes(ROMAN[value])) return ROMAN[value];
  return text;
}

/** Reads a stored finding's value of a field (JSON names are lower camel case: tear-side → tearSide). */
export function storedValue(finding, name) {
  if (!finding) return undefined;
  if (name in finding) return finding[name];
  const camel = name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  return finding[camel];
}

/** Where each field's error goes: `register(name, slot, focusTarget, apply)`; `show(error)` → shown at a field? */
export class ErrorSlots {
  constructor() { this.slots = new Map(); }

  register(name, slot, focusTarget, apply) {
    this.slots.set(fieldKey(name), { slot, focusTarget, apply });
  }

  clear() {
    for (const { slot, focusTarget } of this.slots.values()) {
      replace(slot);
      slot.hidden = true;
      if (focusTarget) focusTarget.removeAttribute('aria-invalid');
    }
  }

  /** Shows `error` at its field (with the suggestion, and the allowed values when short); false when no field. */
  show(error) {
    const entry = error && error.field ? this.slots.get(fieldKey(error.field)) : null;
    if (!entry) return false;
    const { slot, focusTarget, apply } = entry;
    const parts = [error.message];
    if (error.suggestion && apply) {
      parts.push(' ', h('button', { type: 'button', class: 'link-button suggestion-button',
        onclick: () => { apply(error.suggestion); replace(slot); slot.hidden = true; } },
      `Use “${error.suggestion}”`));
    } else if (error.suggestion) {
      parts.push(` Did you mean “${error.suggestion}”?`);
    }
    replace(slot, ...parts);
    slot.hidden = false;
    if (focusTarget) {
      focusTarget.setAttribute('aria-invalid', 'true');
      focusTarget.focus();
    }
    return true;
  }
}

/** A labelled row: label (required marked), the control, the unit, the help text and the error slot. */
export function fieldRow({ name, label, control, help, required = false, unit, errors, apply, group = false }) {
  const id = control.id || uid(`field-${name}`);
  const helpID = `${id}-help`;
  const errorID = `${id}-error`;
  const slot = h('p', { class: 'field-error', id: errorID, role: 'alert', hidden: true, dataset: { errorFor: name } });
  const describedBy = [help ? helpID : null, errorID].filter(Boolean).join(' ');
  const marker = required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null;
  let row;
  if (group) {
    control.setAttribute('aria-describedby', describedBy);
    row = h('fieldset', { class: 'field field-group', dataset: { field: name } },
      h('legend', {}, label, marker, required ? h('span', { class: 'sr-only' }, ' (required)') : null),
      control, help ? h('small', { class: 'help', id: helpID }, help) : null, slot);
  } else {
    control.id = id;
    control.setAttribute('aria-describedby', describedBy);
    if (required) control.setAttribute('aria-required', 'true');
    row = h('div', { class: 'field', dataset: { field: name } },
      h('label', { for: id }, label, marker, required ? h('span', { class: 'sr-only' }, ' (required)') : null),
      h('div', { class: 'control-line' }, control, unit ? h('span', { class: 'unit' }, unit) : null),
      help ? h('small', { class: 'help', id: helpID }, help) : null, slot);
  }
  if (errors) errors.register(name, slot, group ? control.querySelector('input, select') || control : control, apply);
  return row;
}

/** A select of `words` with an empty first choice ("—" = not given). */
export function selectOf(words, value = '', { name, emptyLabel = '—' } = {}) {
  const select = h('select', { name },
    h('option', { value: '' }, emptyLabel), words.map((w) => h('option', { value: w }, w)));
  select.value = words.includes(value) ? value : '';
  return select;
}

/** A number input with the vocabulary's range and step. */
export function numberInput(spec, value) {
  return h('input', { type: 'number', name: spec.name || spec.key, inputmode: 'decimal',
    min: spec.minimum, max: spec.maximum, step: spec.wholeNumber ? '1' : 'any',
    value: value === undefined || value === null ? '' : String(value) });
}

/** Checkboxes for a set (a group whose `values()` is the checked words). */
function checkboxesOf(name, words, chosen) {
  const boxes = words.map((w) => {
    const id = uid(`${name}-${w}`);
    return h('span', { class: 'check' },
      h('input', { type: 'checkbox', id, name, value: w, checked: chosen.includes(w) }),
      h('label', { for: id }, w));
  });
  return h('div', { class: 'checks', role: 'group' }, boxes);
}

/**
 * The form fields of one finding kind (vocabulary.findingKinds[i]), pre-filled from a stored finding's JSON.
 * Returns {element, assignments(), errors, setValue(name, word)}: `assignments()` is the "name=value" list of the
 * fields given (an empty field is left out: the server says when a required one is missing).
 */
export function createFindingFields(kindSpec, { values = null, errors = new ErrorSlots() } = {}) {
  const readers = [];
  const setters = new Map();
  const rows = kindSpec.fields.map((spec) => {
    const stored = storedValue(values, spec.name);
    const label = spec.name.replace(/-/g, ' ');
    let control;
    let read;
    let group = false;
    switch (spec.type) {
      case 'setOf': {
        const chosen = Array.isArray(stored) ? stored.map((v) => asWord(v, spec.allowed)) : [];
        control = checkboxesOf(spec.name, spec.allowed, chosen);
        group = true;
        read = () => [...control.querySelectorAll('input:checked')].map((i) => i.value).join(',');
        setters.set(spec.name, (word) => {
          const words = word.split(',');
          for (const box of control.querySelectorAll('input')) box.checked = words.includes(box.value);
        });
        break;
      }
      case 'oneOf':
      case 'yesNo':
        control = selectOf(spec.allowed || ['yes', 'no'], asWord(stored, spec.allowed), { name: spec.name });
        read = () => control.value;
        setters.set(spec.name, (word) => { control.value = word; });
        break;
      case 'number':
        control = numberInput(spec, stored);
        read = () => control.value.trim();
        setters.set(spec.name, (word) => { control.value = word; });
        break;
      default:
        control = h('input', { type: 'text', name: spec.name, maxlength: spec.maxLength || 500,
          value: stored === undefined ? '' : String(stored) });
        read = () => control.value.trim();
        setters.set(spec.name, (word) => { control.value = word; });
    }
    readers.push([spec.name, read]);
    const range = spec.type === 'number' && spec.minimum !== undefined
      ? ` (${spec.minimum}–${spec.maximum}${spec.unit ? ' ' + spec.unit : ''}${spec.wholeNumber ? ', whole number' : ''})`
      : '';
    return fieldRow({ name: spec.name, label, control, help: spec.help + range, required: spec.required,
      unit: spec.type === 'number' ? spec.unit : undefined, errors, group,
      apply: (word) => setters.get(spec.name)(word) });
  });
  const element = h('div', { class: 'finding-fields', dataset: { kind: kindSpec.kind } },
    rows.length ? rows : h('p', { class: 'muted' }, 'This kind has no fields.'));
  return {
    element,
    errors,
    assignments: () => readers.map(([name, read]) => [name, read()]).filter(([, v]) => v !== '')
      .map(([name, v]) => `${name}=${v}`),
    setValue: (name, word) => setters.get(name) && setters.get(name)(word),
  };
}

/** "type radial · side midline · zones central, subarticular": a finding's fields for a list or a confirmation. */
export function fieldSummary(kindSpec, finding) {
  if (!finding) return '';
  const specs = kindSpec ? kindSpec.fields : [];
  const names = specs.length ? specs.map((s) => s.name) : Object.keys(finding).filter((k) => k !== 'kind');
  return names.map((name) => {
    const value = storedValue(finding, name);
    if (value === undefined || value === null) return null;
    const spec = specs.find((s) => s.name === name);
    const shown = Array.isArray(value) ? value.map((v) => asWord(v, spec && spec.allowed)).join(', ')
      : asWord(value, spec && spec.allowed);
    const unit = spec && spec.unit ? ` ${spec.unit}` : '';
    return `${name.replace(/-/g, ' ')} ${shown}${unit}`;
  }).filter(Boolean).join(' · ');
}
