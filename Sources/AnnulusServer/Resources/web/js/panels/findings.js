// The findings panel: add a finding (kind, level — proposed from the disc labels when the study has them —, the
// kind's generated form, and a mark on the image: a point, or the course of an annular fissure as a polyline), the
// study's findings per level with their status, level warnings, history, amend, retract and sign (with a
// confirmation that lists exactly what is signed). Findings are drawn on the viewer ('findings' layer); clicking one
// shows its image. Changes are announced on the bus as 'findings-changed'.

import { get, post, seg } from '../api.js';
import { h, replace, uid, when } from '../dom.js';
import {
  anchorRequest, byWhen, confirmDialog, describePick, errorBlock, facts, kindTitle, listen, showError,
  statusBadge, unavailable, viewerAnchor,
} from './common.js';
import { ErrorSlots, createFindingFields, fieldRow, fieldSummary, selectOf } from './forms.js';
import * as discs from './discs-api.js';

/** Kinds marked as a line (their course) rather than a point. */
const POLYLINE_KINDS = new Set(['annular-fissure']);
/** Codes by which the API refuses a level that the study (or its disc labels) puts elsewhere. */
const LEVEL_CODES = new Set(['level-outside-study', 'level-nearer-other-disc']);

export function createFindingsPanel(container, context) {
  const { study, vocabulary, viewer, bus, notify, session, shortcuts } = context;
  const studyUID = study.study.studyInstanceUID;
  const canAnnotate = session.can('annotate');
  const canSign = session.can('sign');
  const canView = session.can('view-findings');
  const kinds = new Map(vocabulary.findingKinds.map((k) => [k.kind, k]));
  const levelOrder = new Map(vocabulary.levels.map((l, i) => [l, i]));
  let findings = [];
  let showRetracted = false;
  let destroyed = false;
  let discBasis = null;
  const cleanups = [];

  const listArea = h('div', { class: 'findings-list', id: 'findings-list', 'aria-live': 'polite' });
  const listError = h('div', { hidden: true });
  const formArea = h('div', { class: 'finding-form-area' });
  const addButton = h('button', { type: 'button', class: 'primary', id: 'add-finding', 'aria-keyshortcuts': 'a',
    onclick: () => openAddForm() }, 'Add finding (a)');
  const retractedToggle = h('input', { type: 'checkbox', id: uid('show-retracted'),
    onchange: (e) => { showRetracted = e.target.checked; load(); } });
  container.append(
    h('div', { class: 'panel-toolbar' },
      canAnnotate ? addButton : null,
      h('span', { class: 'check' }, retractedToggle,
        h('label', { for: retractedToggle.id }, 'Show retracted'))),
    formArea, listError, listArea);

  if (!canView) {
    replace(container, unavailable('Your role cannot see findings (it needs the view-findings permission).'));
    return { refresh() {}, destroy() {} };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The list

  async function load() {
    try {
      const query = showRetracted ? '?includeRetracted=true' : '';
      const answer = await get(`/api/studies/${seg(studyUID)}/annotations${query}`);
      if (destroyed) return;
      findings = answer.annotations;
      showError(listError, null);
      render();
    } catch (error) {
      if (!destroyed) showError(listError, error, 'The findings could not be loaded');
    }
  }

  function render() {
    const byLevel = new Map();
    for (const f of findings) {
      if (!byLevel.has(f.level)) byLevel.set(f.level, []);
      byLevel.get(f.level).push(f);
    }
    const levels = [...byLevel.keys()].sort((a, b) => (levelOrder.get(a) ?? 99) - (levelOrder.get(b) ?? 99));
    replace(listArea,
      findings.length ? null : h('p', { class: 'muted' }, 'No findings recorded for this study yet.'),
      levels.map((level) => h('section', { class: 'level-group', dataset: { level }, 'aria-label': `Level ${level}` },
        h('h3', {}, level, h('span', { class: 'count muted' }, ` (${byLevel.get(level).length})`)),
        h('ul', { class: 'finding-items' }, byLevel.get(level).map(findingItem)))));
    drawMarks();
  }

  function findingItem(f) {
    const kindSpec = kinds.get(f.findingKind);
    const finding = f.annotation && f.annotation.finding;
    const anchor = viewerAnchor(f.annotation && f.annotation.anchor);
    const detail = h('div', { class: 'finding-detail', hidden: true });
    const locked = f.status === 'signed';
    const title = h('button', { type: 'button', class: 'link-button finding-title',
      title: anchor ? 'Show on the image' : 'No mark on an image',
      onclick: () => { if (anchor) viewer.goTo({ sopInstanceUID: anchor.sopInstanceUID, frame: anchor.frame }); } },
    kindTitle(vocabulary, f.findingKind));
    const item = h('li', { class: ['finding-item', `finding-${f.status}`], dataset: { id: f.id, status: f.status,
      kind: f.findingKind, level: f.level } },
    h('div', { class: 'finding-head' }, statusBadge(f.status), ' ', title,
      h('span', { class: 'muted' }, ` v${f.version}`),
      locked ? h('span', { class: 'locked', title: 'Signed findings are locked: no amendment' }, 'locked') : null),
    h('p', { class: 'finding-fields-summary' }, fieldSummary(kindSpec, finding) || 'no fields'),
    f.annotation && f.annotation.note ? h('p', { class: 'finding-note' }, 'Note: ', f.annotation.note) : null,
    f.levelWarning ? levelWarningBlock(f.levelWarning) : null,
    h('p', { class: 'finding-meta muted' },
      f.status === 'signed' ? `signed by ${byWhen(f.signedBy, f.signedAt)}` : `by ${byWhen(f.author, f.createdAt)}`,
      f.reason ? ` · ${f.reason}` : '', anchor ? '' : ' · not marked on an image'),
    h('div', { class: 'finding-actions' },
      h('button', { type: 'button', class: 'history-button', onclick: () => toggleHistory(f, detail) }, 'History'),
      canAnnotate && f.status === 'draft' ? h('button', { type: 'button', class: 'amend-button',
        onclick: () => openAmendForm(f, detail) }, 'Amend') : null,
      canAnnotate && f.status !== 'retracted' ? h('button', { type: 'button', class: 'retract-button',
        onclick: () => retract(f) }, 'Retract') : null,
      canSign && f.status === 'draft' ? h('button', { type: 'button', class: 'primary sign-button',
        onclick: () => sign(f) }, 'Sign') : null),
    detail);
    return item;
  }

  function levelWarningBlock(warning) {
    const override = warning.override;
    return h('div', { class: 'level-warning', role: 'note' },
      h('span', { class: 'badge badge-warning' }, h('span', { 'aria-hidden': 'true' }, '⚠'), ' level warning'), ' ',
      warning.problem,
      override ? h('span', { class: 'muted' },
        ` Accepted by ${override.author}${override.at ? ' at ' + when(override.at) : ''}: “${override.reason}”.`)
        : h('span', { class: 'muted' }, ' No acknowledgement recorded.'));
  }

  function drawMarks() {
    const marks = [];
    for (const f of findings) {
      const anchor = viewerAnchor(f.annotation && f.annotation.anchor);
      if (!anchor || f.status === 'retracted') continue;
      // The viewer shows the status (icon and word) beside the label.
      marks.push({ id: f.id, label: `${f.level} ${kindTitle(vocabulary, f.findingKind)}`,
        kind: 'finding', status: f.status, warning: Boolean(f.levelWarning), ...anchor });
    }
    viewer.setMarks('findings', marks);
  }

  async function toggleHistory(f, detail) {
    if (!detail.hidden && detail.dataset.showing === 'history') {
      detail.hidden = true;
      return;
    }
    detail.dataset.showing = 'history';
    replace(detail, h('p', { class: 'muted' }, 'Loading the history…'));
    detail.hidden = false;
    try {
      const { annotations } = await get(`/api/annotations/${seg(f.id)}/history`);
      const kindSpec = kinds.get(f.findingKind);
      replace(detail, h('ol', { class: 'history', 'aria-label': 'Every version, oldest first' },
        annotations.map((v) => h('li', { dataset: { version: v.version } },
          h('span', { class: 'history-version' }, `v${v.version} `), statusBadge(v.status),
          ` ${v.level} · ${fieldSummary(kinds.get(v.findingKind) || kindSpec, v.annotation && v.annotation.finding)}`,
          h('span', { class: 'muted' }, ` — ${v.status === 'signed' ? 'signed by ' + byWhen(v.signedBy, v.signedAt)
            : byWhen(v.author, v.createdAt)}${v.reason ? ` · “${v.reason}”` : ''}`)))));
    } catch (error) {
      replace(detail, errorBlock(error));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Adding and amending: one form for both

  function findingForm({ mode, existing, presetKind, presetLevel, onDone, host }) {
    const errors = new ErrorSlots();
    const formError = h('div', { hidden: true });
    const ackArea = h('div', { class: 'level-ack', hidden: true });
    const kindSelect = h('select', { name: 'kind' }, h('option', { value: '' }, '— choose a kind —'),
      vocabulary.findingKinds.map((k) => h('option', { value: k.kind }, k.title || k.kind)));
    kindSelect.value = existing ? existing.findingKind : presetKind || '';
    const levelSelect = selectOf(vocabulary.levels, existing ? existing.level : presetLevel || '',
      { name: 'level', emptyLabel: '— choose a level —' });
    let levelChosen = Boolean(existing || presetLevel);
    levelSelect.addEventListener('change', () => { levelChosen = true; proposal.hidden = true; });
    const proposal = h('p', { class: 'level-proposal', role: 'status', hidden: true });
    const basisSelect = selectOf(vocabulary.numberingBases,
      (existing && existing.annotation && existing.annotation.numberingBasis) || discBasis || 'unknown',
      { name: 'numberingBasis' });
    const fieldsHost = h('div', { class: 'fields-host' });
    const note = h('textarea', { name: 'note', rows: 2, maxlength: 2000 });
    if (existing && existing.annotation && existing.annotation.note) note.value = existing.annotation.note;
    const reason = h('input', { type: 'text', name: 'reason', maxlength: 500 });
    let fields = null;
    let pick = null;
    const markStatus = h('p', { class: 'mark-status', role: 'status' }, 'Not marked on the image yet.');
    const markButton = h('button', { type: 'button', class: 'mark-button', 'aria-keyshortcuts': 'm' },
      'Mark on the image (m)');
    const save = h('button', { type: 'submit', class: 'primary save-finding' },
      mode === 'add' ? 'Save draft' : 'Save amendment');
    const cancel = h('button', { type: 'button', onclick: () => close() }, 'Cancel');

    function renderFields() {
      const spec = kinds.get(kindSelect.value);
      const values = existing && kindSelect.value === existing.findingKind
        ? existing.annotation && existing.annotation.finding : null;
      fields = spec ? createFindingFields(spec, { values, errors }) : null;
      replace(fieldsHost, fields ? fields.element : h('p', { class: 'muted' }, 'Choose a kind to see its fields.'));
      markButton.textContent = POLYLINE_KINDS.has(kindSelect.value)
        ? 'Mark the course on the image (m)' : 'Mark on the image (m)';
    }
    kindSelect.addEventListener('change', renderFields);

    async function mark() {
      const polyline = POLYLINE_KINDS.has(kindSelect.value);
      markStatus.textContent = polyline
        ? 'Click along the fissure on the image; Enter or a double click finishes, Escape cancels.'
        : 'Click the finding on the image; Escape cancels.';
      markButton.disabled = true;
      try {
        const result = await viewer.pick({ mode: polyline ? 'polyline' : 'point',
          prompt: polyline ? 'Click along the fissure; Enter finishes' : 'Click the finding' });
        if (destroyed) return;
        if (!result) {
          markStatus.textContent = pick ? `Marked: ${describePick(study, pick)}.` : 'Not marked on the image yet.';
          return;
        }
        pick = result;
        markStatus.textContent = `Marked: ${describePick(study, pick)}.`;
        viewer.setMarks('pending', [{ id: 'pending', label: 'new finding, not saved', kind: 'finding',
          status: 'pending', warning: false, sopInstanceUID: pick.sopInstanceUID, frame: pick.frame,
          points: pick.points, patient: pick.patient }]);
        form.dataset.marked = 'true';
        await proposeLevel();
      } catch (error) {
        markStatus.textContent = `The image could not be marked: ${error.message}`;
      } finally {
        markButton.disabled = false;
      }
    }
    markButton.addEventListener('click', mark);

    async function proposeLevel() {
      const answer = await discs.nearest(studyUID, anchorRequest(pick)).catch(() => null);
      if (!answer || !answer.level || destroyed) return;
      const runner = answer.runnerUp ? `; next nearest ${answer.runnerUp.level} at ${answer.runnerUp.distanceMm.toFixed(1)} mm` : '';
      proposal.textContent = `Nearest labelled disc: ${answer.level} (${answer.distanceMm.toFixed(1)} mm${runner}).`;
      proposal.hidden = false;
      if (!levelChosen) {
        levelSelect.value = answer.level;
        proposal.textContent += ' The level is set to it.';
      } else if (levelSelect.value !== answer.level) {
        proposal.append(' ', h('button', { type: 'button', class: 'link-button',
          onclick: () => { levelSelect.value = answer.level; proposal.hidden = true; } }, `Use ${answer.level}`));
      }
    }

    function body(acknowledgement) {
      const payload = {};
      if (mode === 'add') {
        payload.kind = kindSelect.value;
        payload.level = levelSelect.value;
        payload.numberingBasis = basisSelect.value;
      } else {
        if (kindSelect.value !== existing.findingKind) payload.kind = kindSelect.value;
        if (levelSelect.value !== existing.level) payload.level = levelSelect.value;
      }
      payload.fields = fields ? fields.assignments() : [];
      if (note.value.trim()) payload.note = note.value.trim();
      if (reason.value.trim()) payload.reason = reason.value.trim();
      if (pick && mode === 'add') payload.anchor = anchorRequest(pick);
      if (acknowledgement) payload.levelOutsideStudy = acknowledgement;
      return payload;
    }

    async function submit(acknowledgement) {
      errors.clear();
      showError(formError, null);
      if (!acknowledgement) ackArea.hidden = true;
      if (!kindSelect.value) return errors.show({ field: 'kind', message: 'Choose the finding kind.' });
      if (!levelSelect.value) {
        return errors.show({ field: 'level', message: pick
          ? 'Choose the level (no disc labels propose one).' : 'Choose the level, or mark the image first.' });
      }
      save.disabled = true;
      try {
        const path = mode === 'add' ? `/api/studies/${seg(studyUID)}/annotations`
          : `/api/annotations/${seg(existing.id)}/amend`;
        const answer = await post(path, body(acknowledgement));
        notify(`${mode === 'add' ? 'Added' : 'Amended'}: ${answer.annotation.level} ` +
          `${kindTitle(vocabulary, answer.annotation.findingKind)} (v${answer.annotation.version}, draft — preliminary until signed).`, 'ok');
        close();
        onDone(answer.annotation);
      } catch (error) {
        if (LEVEL_CODES.has(error.code)) showAcknowledgement(error);
        else if (!errors.show(error)) showError(formError, error);
      } finally {
        save.disabled = false;
      }
    }

    function showAcknowledgement(error) {
      const id = uid('ack-reason');
      const input = h('textarea', { id, name: 'levelOutsideStudy', rows: 2, maxlength: 500 });
      const problem = h('p', { class: 'form-error', role: 'alert', hidden: true });
      const keep = h('button', { type: 'button', class: 'danger ack-confirm' }, `Keep ${levelSelect.value} with this reason`);
      keep.addEventListener('click', () => {
        if (!input.value.trim()) {
          problem.textContent = 'Give the reason the level is right all the same.';
          problem.hidden = false;
          input.focus();
          return;
        }
        submit(input.value.trim());
      });
      replace(ackArea,
        h('p', { class: 'level-ack-problem', role: 'alert' },
          h('span', { class: 'badge badge-warning' }, h('span', { 'aria-hidden': 'true' }, '⚠'), ' check the level'),
          ' ', error.message.replace(/give the reason with --level-outside-study REASON/, 'give the reason below')),
        h('label', { for: id }, `Why is ${levelSelect.value} right all the same?`), input, problem,
        h('div', { class: 'form-buttons' }, keep,
          h('button', { type: 'button', onclick: () => { ackArea.hidden = true; levelSelect.focus(); } },
            'Change the level')));
      ackArea.hidden = false;
      input.focus();
    }

    const kindID = uid('kind');
    const form = h('form', { class: ['finding-form', `finding-form-${mode}`], 'aria-label':
      mode === 'add' ? 'Add a finding' : 'Amend the finding', novalidate: true },
    mode === 'add' ? h('h3', {}, 'Add a finding') : h('h4', {}, `Amend v${existing.version}`),
    fieldRow({ name: 'kind', label: 'Kind', control: kindSelect, required: true, errors }),
    fieldRow({ name: 'level', label: 'Level', control: levelSelect, required: true, errors,
      help: 'Proposed from the disc labels when you mark the image (Levels tab).', apply: (w) => { levelSelect.value = w; } }),
    proposal,
    mode === 'add' ? fieldRow({ name: 'numberingBasis', label: 'Numbering basis', control: basisSelect, errors,
      help: 'How the vertebrae were counted.' }) : null,
    fieldsHost,
    fieldRow({ name: 'note', label: 'Note', control: note, errors, help: 'Anything the vocabulary cannot say.' }),
    mode === 'amend' ? fieldRow({ name: 'reason', label: 'Reason for the change', control: reason, errors })
      : null,
    mode === 'add' ? h('div', { class: 'mark-row' }, markButton, markStatus) : null,
    ackArea, formError,
    h('div', { class: 'form-buttons' }, save, cancel));
    kindSelect.id = kindID;
    form.addEventListener('submit', (event) => { event.preventDefault(); submit(); });
    form.addEventListener('keydown', (event) => {
      // Escape while marking cancels the mark (the viewer's), not the form.
      if (event.key === 'Escape' && !markButton.disabled) { event.preventDefault(); close(); }
    });
    errors.register('anchor', markStatus, markButton);
    errors.register('points', markStatus, markButton);
    errors.register('sopInstanceUID', markStatus, markButton);
    renderFields();
    let closed = false;
    function close() {
      if (closed) return;
      closed = true;
      form.remove();
      if (mode === 'add') viewer.setMarks('pending', []);
      if (host === formArea) addButton.disabled = false;
    }
    host.append(form);
    (existing ? levelSelect : kindSelect).focus();
    return {
      form, mark, close,
      preset: ({ kind, level }) => {
        if (kind && kind !== kindSelect.value) { kindSelect.value = kind; renderFields(); }
        if (level) { levelSelect.value = level; levelChosen = true; }
      },
    };
  }

  let addForm = null;
  function openAddForm({ kind, level } = {}) {
    if (!canAnnotate) return null;
    if (addForm && addForm.form.isConnected) {
      addForm.preset({ kind, level });
      addForm.form.querySelector('select').focus();
      return addForm;
    }
    addButton.disabled = true;
    addForm = findingForm({ mode: 'add', presetKind: kind, presetLevel: level, host: formArea, onDone: changed });
    return addForm;
  }

  function openAmendForm(f, detail) {
    detail.dataset.showing = 'amend';
    replace(detail);
    detail.hidden = false;
    findingForm({ mode: 'amend', existing: f, host: detail, onDone: changed });
  }

  async function retract(f) {
    const { confirmed, reason } = await confirmDialog({
      title: `Retract the ${f.level} ${kindTitle(vocabulary, f.findingKind)}?`, id: 'retract-dialog',
      body: [h('p', {}, 'The finding leaves the list; its history keeps every version.')],
      confirmLabel: 'Retract', danger: true, reason: { label: 'Reason' } });
    if (!confirmed) return;
    try {
      await post(`/api/annotations/${seg(f.id)}/retract`, { reason });
      notify(`Retracted the ${f.level} ${kindTitle(vocabulary, f.findingKind)}.`, 'ok');
      changed();
    } catch (error) {
      notify(`Not retracted: ${error.message}`, 'error');
    }
  }

  async function sign(f) {
    // The confirmation lists exactly the version that will be signed, read again now.
    let latest;
    try {
      latest = (await get(`/api/annotations/${seg(f.id)}`)).annotation;
    } catch (error) {
      notify(`Cannot sign: ${error.message}`, 'error');
      return;
    }
    const kindSpec = kinds.get(latest.findingKind);
    const finding = latest.annotation && latest.annotation.finding;
    const anchor = viewerAnchor(latest.annotation && latest.annotation.anchor);
    const account = session.account();
    const { confirmed } = await confirmDialog({
      title: 'Sign this finding?', id: 'sign-dialog', confirmLabel: `Sign as ${account.displayName || account.name}`,
      body: [
        h('p', {}, 'Signing makes this version final: it is locked and counts in triage and the hand-off.'),
        facts([
          ['Level', latest.level],
          ['Kind', kindTitle(vocabulary, latest.findingKind)],
          ['Fields', fieldSummary(kindSpec, finding) || 'none'],
          latest.annotation && latest.annotation.note ? ['Note', latest.annotation.note] : null,
          ['Version', `v${latest.version} by ${byWhen(latest.author, latest.createdAt)}`],
          ['Image', anchor ? describePick(study, anchor) : 'not marked'],
          latest.levelWarning ? ['Level warning', latest.levelWarning.problem] : null,
        ], 'facts sign-summary'),
      ] });
    if (!confirmed) return;
    try {
      await post(`/api/annotations/${seg(f.id)}/sign`);
      notify(`Signed: ${latest.level} ${kindTitle(vocabulary, latest.findingKind)} v${latest.version}.`, 'ok');
      changed();
    } catch (error) {
      notify(`Not signed: ${error.message}`, 'error');
    }
  }

  function changed() {
    bus.dispatchEvent(new Event('findings-changed'));
    load();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Wiring

  cleanups.push(listen(bus, 'discs-changed', refreshBasis));
  cleanups.push(listen(bus, 'add-finding', (event) => {
    context.showTab('findings');
    openAddForm(event.detail || {});
  }));
  async function refreshBasis() {
    const answer = await discs.current(studyUID).catch(() => null);
    discBasis = answer && answer.labels.length ? answer.basis : null;
  }

  if (canAnnotate) {
    shortcuts.bind('a', 'Add a finding', () => { context.showTab('findings'); openAddForm(); }, 'view');
    shortcuts.bind('m', 'Mark the finding being added on the image', () => {
      if (addForm && addForm.form.isConnected) addForm.mark();
    }, 'view');
  }
  if (canSign) {
    shortcuts.bind('s', 'Sign the first draft finding (asks first)', () => {
      const draft = findings.find((f) => f.status === 'draft');
      if (draft) { context.showTab('findings'); sign(draft); } else notify('No draft finding to sign.');
    }, 'view');
  }

  refreshBasis();
  load();
  return {
    refresh: load,
    /** Opens the add form with a kind (and level) chosen: the triage panel's "record it" links. */
    add: (preset) => openAddForm(preset),
    destroy() {
      destroyed = true;
      for (const stop of cleanups) stop();
      viewer.setMarks('findings', []);
      viewer.setMarks('pending', []);
    },
  };
}
