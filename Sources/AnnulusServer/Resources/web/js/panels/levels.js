// The levels panel: label the study's discs once (click the L5-S1 disc, then the next disc up is proposed — L4-L5,
// L3-L4 … — until Done), with the numbering basis; the current labels and their history; the labels drawn on the
// viewer ('discs' layer). From then on a mark for a finding proposes the nearest labelled disc's level (findings
// panel). Saved labels are announced on the bus as 'discs-changed'.

import { h, replace } from '../dom.js';
import {
  anchorRequest, byWhen, confirmDialog, describePick, errorBlock, listen, showError, unavailable,
} from './common.js';
import { fieldRow, selectOf } from './forms.js';
import * as discs from './discs-api.js';

/** Transitional levels: only proposed when the clinician chooses them (their names depend on the counting). */
const TRANSITIONAL = new Set(['L5-L6', 'S1-S2']);

export function createLevelsPanel(container, context) {
  const { study, vocabulary, viewer, bus, notify, session, shortcuts } = context;
  const studyUID = study.study.studyInstanceUID;
  const canLabel = session.can('annotate');
  let state = { labels: [], basis: 'unknown' };
  let session_ = null; // the labelling in progress: {labels: Map level → {level, pick}, level, basis}
  let destroyed = false;
  const cleanups = [];

  const summary = h('div', { class: 'disc-summary', id: 'disc-labels', 'aria-live': 'polite' });
  const errorSlot = h('div', { hidden: true });
  const work = h('div', { class: 'disc-work' });
  const historyArea = h('div', { class: 'disc-history', hidden: true });
  const labelButton = h('button', { type: 'button', class: 'primary', id: 'label-discs', 'aria-keyshortcuts': 'd',
    onclick: () => start() }, 'Label discs (d)');
  const historyButton = h('button', { type: 'button', onclick: () => toggleHistory() }, 'History');
  container.append(
    h('p', { class: 'muted' }, 'Label the discs once per study: the level of every later mark is proposed from the ' +
      'nearest labelled disc, on sagittal and axial images alike.'),
    h('div', { class: 'panel-toolbar' }, canLabel ? labelButton : null, historyButton),
    errorSlot, work, summary, historyArea);

  if (!session.can('view-findings')) {
    replace(container, unavailable('Your role cannot see the disc labels (it needs the view-findings permission).'));
    return { refresh() {}, destroy() {} };
  }

  /** The disc above `level` in the vocabulary's order (cranial), skipping transitional levels. */
  function above(level) {
    const order = vocabulary.levels.filter((l) => !TRANSITIONAL.has(l) || l === level);
    const at = order.indexOf(level);
    return at > 0 ? order[at - 1] : null;
  }

  async function load() {
    try {
      state = await discs.current(studyUID);
      if (destroyed) return;
      showError(errorSlot, null);
      render();
    } catch (error) {
      if (!destroyed) showError(errorSlot, error, 'The disc labels could not be loaded');
    }
  }

  function render() {
    const labels = [...state.labels].sort((a, b) =>
      vocabulary.levels.indexOf(a.level) - vocabulary.levels.indexOf(b.level));
    replace(summary,
      labels.length
        ? [h('p', {}, `${labels.length} disc${labels.length === 1 ? '' : 's'} labelled · basis ${state.basis}` +
          (state.version ? ` · version ${state.version} by ${byWhen(state.author, state.createdAt)}` : '')),
        h('ul', { class: 'disc-list' }, labels.map((l) => h('li', { dataset: { level: l.level } },
          h('button', { type: 'button', class: 'link-button', onclick: () => show(l) }, l.level),
          h('span', { class: 'muted' }, ` ${l.sopInstanceUID ? describePick(study, { ...l, points: [l.point] }) : ''}` +
            (l.patient ? ` · (${l.patient.map((v) => v.toFixed(1)).join(', ')}) mm` : '')))))]
        : h('p', { class: 'muted' }, 'No disc is labelled yet.'),
      state.next && labels.length ? h('p', { class: 'muted' }, `Next disc to label: ${state.next}.`) : null);
    drawMarks(labels);
  }

  function drawMarks(labels) {
    viewer.setMarks('discs', labels.filter((l) => l.sopInstanceUID && l.point).map((l) => ({
      id: `disc-${l.level}`, label: l.level, kind: 'disc', warning: false,
      sopInstanceUID: l.sopInstanceUID, frame: l.frame, points: [l.point], patient: l.patient ? [l.patient] : null })));
  }

  function show(label) {
    if (label.sopInstanceUID) viewer.goTo({ sopInstanceUID: label.sopInstanceUID, frame: label.frame });
  }

  async function toggleHistory() {
    if (!historyArea.hidden) {
      historyArea.hidden = true;
      return;
    }
    historyArea.hidden = false;
    replace(historyArea, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const versions = await discs.history(studyUID);
      replace(historyArea, h('h3', {}, 'History'), versions.length
        ? h('ol', { class: 'history' }, versions.map((v) => h('li', {},
          `v${v.version}: ${v.labels.map((l) => l.level).join(', ') || 'none'} · basis ${v.basis} · ` +
          byWhen(v.author, v.createdAt), v.reason ? ` · “${v.reason}”` : '')))
        : h('p', { class: 'muted' }, 'No version yet.'));
    } catch (error) {
      replace(historyArea, errorBlock(error));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Labelling: one click per disc, from L5-S1 upwards

  function start() {
    if (!canLabel || session_) return;
    context.showTab('levels');
    session_ = { labels: new Map(), basis: state.basis || 'unknown', level: 'L5-S1' };
    for (const l of state.labels) {
      if (l.sopInstanceUID) session_.labels.set(l.level, { sopInstanceUID: l.sopInstanceUID, frame: l.frame,
        points: [l.point], patient: l.patient ? [l.patient] : null });
    }
    renderWork();
    next();
  }

  function renderWork() {
    if (!session_) {
      replace(work);
      return;
    }
    const levelSelect = selectOf(vocabulary.levels, session_.level, { name: 'disc-level' });
    levelSelect.addEventListener('change', () => { session_.level = levelSelect.value; next(); });
    const basisSelect = selectOf(vocabulary.numberingBases, session_.basis, { name: 'basis' });
    basisSelect.addEventListener('change', () => { session_.basis = basisSelect.value; });
    const done = h('button', { type: 'button', class: 'primary', id: 'discs-done', onclick: () => finish() }, 'Done');
    const skip = h('button', { type: 'button', onclick: () => { session_.level = above(session_.level); next(); } },
      'Skip this disc');
    const undo = h('button', { type: 'button', onclick: () => undoLast() }, 'Undo last');
    const cancel = h('button', { type: 'button', onclick: () => stop() }, 'Cancel');
    const labelled = [...session_.labels.keys()].sort((a, b) =>
      vocabulary.levels.indexOf(b) - vocabulary.levels.indexOf(a));
    replace(work, h('section', { class: 'disc-labelling', 'aria-label': 'Labelling the discs' },
      h('p', { class: 'disc-prompt', role: 'status', id: 'disc-prompt' },
        session_.level ? `Click the centre of the ${session_.level} disc on the image.` : 'All discs are labelled.'),
      fieldRow({ name: 'disc-level', label: 'Disc to click', control: levelSelect,
        help: 'The next disc up is proposed after each click; change it to label another.' }),
      fieldRow({ name: 'basis', label: 'Numbering basis', control: basisSelect,
        help: 'How the vertebrae were counted (from C2 or from the sacrum).' }),
      h('p', { class: 'muted' }, labelled.length ? `Labelled: ${labelled.join(', ')}` : 'Nothing labelled yet.'),
      h('div', { class: 'form-buttons' }, done, skip, undo, cancel)));
  }

  let picking = false;
  async function next() {
    renderWork();
    if (!session_ || !session_.level || picking) return;
    picking = true;
    const level = session_.level;
    try {
      const pick = await viewer.pick({ mode: 'point', prompt: `Click the ${level} disc` }).catch((error) => {
        notify(`The image could not be marked: ${error.message}`, 'error');
        return null;
      });
      if (!session_ || destroyed) return;
      if (!pick) return; // cancelled: the panel stays open for Done, Skip or another level
      session_.labels.set(level, pick);
      session_.order = [...(session_.order || []), level];
      session_.level = above(level);
      drawMarks([...session_.labels].map(([l, p]) => ({ level: l, sopInstanceUID: p.sopInstanceUID, frame: p.frame,
        point: p.points[0], patient: p.patient ? p.patient[0] : null })));
    } finally {
      picking = false;
    }
    if (session_ && session_.level !== level) next();
  }

  function undoLast() {
    const order = session_.order || [];
    const last = order.pop();
    if (!last) return;
    session_.labels.delete(last);
    session_.level = last;
    render();
    next();
  }

  function stop() {
    session_ = null;
    renderWork();
    render();
  }

  async function finish() {
    const labels = [...session_.labels].map(([level, pick]) => ({ level, anchor: anchorRequest(pick) }));
    if (!labels.length) {
      stop();
      return;
    }
    let reason;
    if (state.version) {
      const answer = await confirmDialog({ title: 'Replace the disc labels?', id: 'discs-reason-dialog',
        body: [h('p', {}, `Version ${state.version} stays in the history.`)], confirmLabel: 'Save',
        reason: { label: 'Reason for relabelling' } });
      if (!answer.confirmed) return;
      reason = answer.reason;
    }
    try {
      await discs.save(studyUID, { basis: session_.basis, labels, reason, expectedVersion: state.version || 0 });
      notify(`Saved ${labels.length} disc label${labels.length === 1 ? '' : 's'}.`, 'ok');
      session_ = null;
      renderWork();
      bus.dispatchEvent(new Event('discs-changed')); // this panel reloads on it too
    } catch (error) {
      const slot = h('div');
      showError(slot, error, 'Not saved');
      work.append(slot);
    }
  }

  if (canLabel) shortcuts.bind('d', 'Label the discs', () => start(), 'view');
  cleanups.push(listen(bus, 'discs-changed', () => { if (!session_) load(); }));
  load();
  return {
    refresh: load,
    destroy() {
      destroyed = true;
      session_ = null;
      for (const stopListening of cleanups) stopListening();
      viewer.setMarks('discs', []);
    },
  };
}
