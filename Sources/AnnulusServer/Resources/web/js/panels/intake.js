// The intake panel: the patient's intake as a form generated from the vocabulary's intake fields (units, ranges,
// allowed words), pre-filled from the current version; saving sends only what changed, as the `key=value` facts of
// POST /api/studies/{uid}/intake (a field emptied becomes unknown again). A refusal is shown at its field, with the
// suggestion. The history lists every version. Saved changes are announced on the bus as 'intake-changed'.

import { get, post, seg } from '../api.js';
import { h, replace, uid } from '../dom.js';
import { byWhen, errorBlock, listen, showError, unavailable } from './common.js';
import { ErrorSlots, fieldRow, numberInput, selectOf } from './forms.js';

/** The value at dotted `path` of the intake document. */
function at(doc, path) {
  return path.split('.').reduce((v, key) => (v && typeof v === 'object' ? v[key] : undefined), doc);
}

const yesNo = (v) => (v === true ? 'yes' : v === false ? 'no' : v === undefined || v === null ? '' : String(v));
const num = (v) => (v === undefined || v === null ? '' : String(v));

/** A control for one intake field: {element, focus, read() → [values], set from the document}. */
function control(spec, doc) {
  const value = at(doc, spec.document);
  switch (spec.type) {
    case 'oneOf':
    case 'yesNo': {
      const select = selectOf(spec.allowed, yesNo(value), { name: spec.key, emptyLabel: '— not recorded —' });
      return { element: select, focus: select, read: () => (select.value ? [select.value] : []) };
    }
    case 'number': {
      const input = numberInput(spec, value);
      return { element: input, focus: input, read: () => (input.value.trim() ? [input.value.trim()] : []),
        unit: spec.unit };
    }
    case 'painScore': {
      const scales = spec.scales.map((s) => s.scale);
      const scale = selectOf(scales, value ? value.scale : '', { name: `${spec.key}-scale`, emptyLabel: '— scale —' });
      scale.setAttribute('aria-label', `${spec.label}: scale`);
      const score = h('input', { type: 'number', name: `${spec.key}-score`, min: 0, step: 'any', inputmode: 'decimal',
        'aria-label': `${spec.label}: score`, value: value ? num(value.value) : '' });
      const bound = () => {
        const s = spec.scales.find((x) => x.scale === scale.value);
        score.max = s ? String(s.maximum) : '';
        score.placeholder = s ? `0–${s.maximum}` : '';
      };
      scale.addEventListener('change', bound);
      bound();
      const element = h('span', { class: 'pain-score' }, scale, score);
      return { element, focus: scale, read: () => {
        if (!scale.value && !score.value.trim()) return [];
        return [`${scale.value || '?'}:${score.value.trim() || '?'}`];
      } };
    }
    case 'questionnaire': {
      const items = at(doc, spec.itemsDocument);
      const shown = Array.isArray(items) ? items.map((i) => (i === null ? '-' : String(i))).join(',') : num(value);
      const input = h('input', { type: 'text', name: spec.key, value: shown, inputmode: 'decimal', maxlength: 80,
        placeholder: `total ${spec.minimum}–${spec.maximum} % or ${spec.items} items 0–${spec.itemMaximum}` });
      return { element: input, focus: input, read: () => (input.value.trim() ? [input.value.trim().replace(/\s+/g, '')] : []) };
    }
    case 'care':
      return careControl(spec, value);
    case 'priorSurgery':
      return surgeryControl(spec, value);
    default: {
      const input = h('input', { type: 'text', name: spec.key, value: num(value) });
      return { element: input, focus: input, read: () => (input.value.trim() ? [input.value.trim()] : []) };
    }
  }
}

/** Repeated rows with a remove button and an add button. */
function rows(name, addLabel, makeRow, initial) {
  const list = h('ol', { class: 'repeat-rows', dataset: { rows: name } });
  const add = (values) => {
    const remove = h('button', { type: 'button', class: 'link-button', 'aria-label': 'Remove this row' }, 'remove');
    const row = makeRow(values || {});
    const li = h('li', {}, row.element, ' ', remove);
    li.read = row.read;
    remove.addEventListener('click', () => li.remove());
    list.append(li);
    return row;
  };
  for (const values of initial) add(values);
  const addButton = h('button', { type: 'button', class: 'add-row' }, addLabel);
  addButton.addEventListener('click', () => { const row = add(); row.focus.focus(); });
  return { list, addButton, read: () => [...list.children].map((li) => li.read()).filter(Boolean) };
}

function careControl(spec, value) {
  const none = Array.isArray(value) && value.length === 0;
  const noneID = uid('care-none');
  const noneBox = h('input', { type: 'checkbox', id: noneID, name: 'care-none', checked: none });
  const repeat = rows('care', 'Add an attempt', (v) => {
    const kind = selectOf(spec.allowed, v.kind || '', { name: 'care-kind', emptyLabel: '— kind —' });
    kind.setAttribute('aria-label', 'Kind of care');
    const weeks = h('input', { type: 'number', name: 'care-weeks', min: spec.minimum, max: spec.maximum, step: 'any',
      'aria-label': 'Weeks', placeholder: 'weeks', value: num(v.weeks), class: 'short' });
    const relief = selectOf(['yes', 'no'], yesNo(v.lastingRelief), { name: 'care-relief', emptyLabel: 'relief ?' });
    relief.setAttribute('aria-label', 'Lasting relief');
    return { element: h('span', { class: 'care-row' }, kind, weeks, h('span', { class: 'unit' }, 'weeks'), relief),
      focus: kind,
      read: () => (kind.value ? `${kind.value}:${weeks.value.trim() || '?'}:${relief.value || '?'}` : null) };
  }, Array.isArray(value) ? value : []);
  const element = h('div', { class: 'care' }, repeat.list, repeat.addButton,
    h('span', { class: 'check' }, noneBox, h('label', { for: noneID }, 'None tried')));
  return { element, focus: noneBox, group: true, read: () => (noneBox.checked ? ['none'] : repeat.read()) };
}

function surgeryControl(spec, value) {
  const had = selectOf(['yes', 'no'], value ? yesNo(value.had) : '', { name: 'prior-surgery-had',
    emptyLabel: '— not recorded —' });
  had.setAttribute('aria-label', 'Prior spine surgery');
  const repeat = rows('prior-surgery', 'Add an operation', (v) => {
    const kind = selectOf(spec.allowed, v.kind || '', { name: 'surgery-kind', emptyLabel: '— kind —' });
    kind.setAttribute('aria-label', 'Operation');
    const level = selectOf(spec.levels, v.level || '', { name: 'surgery-level', emptyLabel: 'level not known' });
    level.setAttribute('aria-label', 'Level operated on');
    return { element: h('span', { class: 'surgery-row' }, kind, level), focus: kind,
      read: () => (kind.value ? (level.value ? `${kind.value}:${level.value}` : kind.value) : null) };
  }, value && Array.isArray(value.procedures) ? value.procedures : []);
  const element = h('div', { class: 'surgery' }, had, repeat.list, repeat.addButton);
  return { element, focus: had, group: true, read: () => [...(had.value ? [had.value] : []), ...repeat.read()] };
}

/** A version's recorded values, for the history: "age 45 · back pain VAS 70". */
function describe(specs, doc) {
  return specs.map((spec) => {
    const v = at(doc, spec.document);
    if (v === undefined || v === null) return null;
    if (spec.type === 'painScore') return `${spec.label.toLowerCase()} ${v.scale.toUpperCase()} ${v.value}`;
    if (spec.type === 'care') {
      return `care ${v.length ? v.map((c) => `${c.kind} ${c.weeks ?? '?'} w`).join(', ') : 'none'}`;
    }
    if (spec.type === 'priorSurgery') {
      if (v.had === undefined && !(v.procedures || []).length) return null;
      return `prior surgery ${yesNo(v.had) || '?'}${(v.procedures || []).map((p) => ` ${p.kind || '?'} ${p.level || ''}`).join(',')}`;
    }
    if (typeof v === 'object') return null;
    return `${spec.label.toLowerCase()} ${yesNo(v)}${spec.unit && spec.unit !== '%' ? ' ' + spec.unit : spec.unit || ''}`;
  }).filter(Boolean).join(' · ');
}

export function createIntakePanel(container, context) {
  const { study, vocabulary, bus, notify, session } = context;
  const studyUID = study.study.studyInstanceUID;
  const specs = vocabulary.intakeFields || [];
  const canEdit = session.can('intake');
  let destroyed = false;
  let controls = new Map();
  let initial = new Map();
  const cleanups = [];
  const errors = new ErrorSlots();
  const formArea = h('div', { class: 'intake-form-area' });
  const meta = h('p', { class: 'muted', role: 'status' });
  const formError = h('div', { hidden: true });
  const historyArea = h('div', { class: 'intake-history', hidden: true });
  const historyButton = h('button', { type: 'button', onclick: () => toggleHistory() }, 'History');
  container.append(h('div', { class: 'panel-toolbar' }, historyButton), meta, formError, formArea, historyArea);

  if (!session.can('view-findings')) {
    replace(container, unavailable('Your role cannot see the intake (it needs the view-findings permission).'));
    return { refresh() {}, destroy() {} };
  }
  if (!specs.length) {
    replace(formArea, unavailable('This server does not describe the intake fields: record the intake with ' +
      '`annulus intake set` or update the server.'));
  }

  async function load() {
    try {
      const answer = await get(`/api/studies/${seg(studyUID)}/intake`);
      if (destroyed) return;
      const latest = answer.latest;
      meta.textContent = latest ? `Version ${latest.version} by ${byWhen(latest.author, latest.createdAt)}` +
        (latest.reason ? ` · “${latest.reason}”` : '') : 'No intake recorded for this patient yet.';
      if (specs.length) renderForm(latest ? latest.intake : {});
    } catch (error) {
      if (!destroyed) showError(formError, error, 'The intake could not be loaded');
    }
  }

  function renderForm(doc) {
    controls = new Map();
    initial = new Map();
    errors.slots.clear();
    const groups = new Map();
    for (const spec of specs) {
      const c = control(spec, doc);
      controls.set(spec.key, c);
      initial.set(spec.key, JSON.stringify(c.read()));
      const range = spec.type === 'number' ? ` (${spec.minimum}–${spec.maximum} ${spec.unit || ''})` : '';
      const row = fieldRow({ name: spec.key, label: spec.label, control: c.element, help: spec.help + range,
        unit: c.unit, errors, group: Boolean(c.group) || spec.type === 'painScore' });
      row.dataset.facts = spec.facts.join(' ');
      if (!groups.has(spec.group)) groups.set(spec.group, []);
      groups.get(spec.group).push(row);
    }
    const reason = h('input', { type: 'text', name: 'reason', maxlength: 500 });
    const save = h('button', { type: 'submit', class: 'primary', id: 'save-intake' }, 'Save intake');
    const fieldset = h('fieldset', { class: 'intake-fields', disabled: !canEdit },
      h('legend', { class: 'sr-only' }, 'Intake'),
      [...groups].map(([group, rowsOfGroup]) => h('section', { class: 'intake-group', 'aria-label': group },
        h('h3', {}, group), rowsOfGroup)),
      canEdit ? fieldRow({ name: 'reason', label: 'Reason for the change (optional)', control: reason, errors })
        : null);
    const form = h('form', { class: 'intake-form', id: 'intake-form', 'aria-label': 'Intake', novalidate: true },
      canEdit ? null : h('p', { class: 'muted' }, 'Your role can read the intake but not change it.'),
      fieldset, canEdit ? h('div', { class: 'form-buttons' }, save) : null);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      errors.clear();
      showError(formError, null);
      const facts = [];
      for (const spec of specs) {
        const now = controls.get(spec.key).read();
        if (JSON.stringify(now) === initial.get(spec.key)) continue;
        const repeated = spec.type === 'care' || spec.type === 'priorSurgery';
        if (!now.length || repeated) facts.push(`${spec.key}=unknown`);
        for (const value of now) facts.push(`${spec.key}=${value}`);
      }
      if (!facts.length) {
        notify('Nothing changed in the intake.');
        return;
      }
      save.disabled = true;
      try {
        const body = { facts };
        if (reason.value.trim()) body.reason = reason.value.trim();
        const answer = await post(`/api/studies/${seg(studyUID)}/intake`, body);
        notify(`Intake saved (version ${answer.latest.version}).`, 'ok');
        bus.dispatchEvent(new Event('intake-changed'));
        await load();
        if (!historyArea.hidden) showHistory();
      } catch (error) {
        if (!errors.show(error)) showError(formError, error, 'Not saved');
      } finally {
        save.disabled = false;
      }
    });
    replace(formArea, form);
  }

  async function showHistory() {
    replace(historyArea, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const { versions } = await get(`/api/studies/${seg(studyUID)}/intake/history`);
      replace(historyArea, h('h3', {}, 'History'), versions.length
        ? h('ol', { class: 'history', id: 'intake-history' }, versions.map((v) => h('li', { dataset: { version: v.version } },
          h('span', { class: 'history-version' }, `v${v.version} `), byWhen(v.author, v.createdAt),
          v.reason ? ` · “${v.reason}”` : '', h('div', { class: 'muted' }, describe(specs, v.intake) || 'nothing recorded'))))
        : h('p', { class: 'muted' }, 'No version yet.'));
    } catch (error) {
      replace(historyArea, errorBlock(error));
    }
  }

  function toggleHistory() {
    historyArea.hidden = !historyArea.hidden;
    if (!historyArea.hidden) showHistory();
  }

  /** Focuses the field recording `key` (from triage's "missing" links). */
  function focusField(key) {
    const c = controls.get(key);
    if (!c) return;
    const row = formArea.querySelector(`[data-field="${CSS.escape(key)}"]`);
    if (row) {
      row.classList.add('field-highlight');
      setTimeout(() => row.classList.remove('field-highlight'), 2500);
      row.scrollIntoView({ block: 'center' });
    }
    c.focus.focus();
  }
  cleanups.push(listen(bus, 'record-intake', (event) => {
    context.showTab('intake');
    focusField(event.detail && event.detail.key);
  }));

  load();
  return {
    refresh: load,
    focusField,
    destroy() {
      destroyed = true;
      for (const stop of cleanups) stop();
    },
  };
}
