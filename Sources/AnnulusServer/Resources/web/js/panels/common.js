// What the study panels share: status and outcome badges (an icon and a word, never colour alone), the API's errors
// shown where they belong, a modal confirmation, a reason prompt, and the conversion of a stored anchor (frame from
// 1, points as {x, y}) into the viewer's marks (frame from 0, points as [x, y]).

import { h, replace, badge, uid, when } from '../dom.js';

/** The badge of a finding's status: ✎ draft (preliminary), ✔ signed, ⊘ retracted. */
export function statusBadge(status) {
  const words = { draft: 'draft · preliminary', signed: 'signed', retracted: 'retracted' };
  return badge(status, words[status] || status);
}

const OUTCOMES = {
  candidate: ['candidate', 'candidate'],
  'not-candidate': ['not-candidate', 'not a candidate'],
  'needs-more-information': ['warning', 'needs more information'],
  'urgent-review': ['urgent', 'urgent review'],
};

/** The badge of a triage outcome, with the outcome in words. */
export function outcomeBadge(outcome) {
  const [kind, words] = OUTCOMES[outcome] || ['undetermined', outcome];
  return h('span', { class: ['outcome', `outcome-${outcome}`], dataset: { outcome } }, badge(kind, words));
}

/** A block that shows an API error (message, and the suggestion when there is one) in a panel. */
export function errorBlock(error, prefix = '') {
  return h('div', { class: 'panel-error', role: 'alert' },
    prefix ? `${prefix}: ` : '', error.message,
    error.suggestion ? h('span', { class: 'suggestion' }, ` Did you mean “${error.suggestion}”?`) : null);
}

/** Replaces `slot`'s content with the error (or clears it when `error` is null). */
export function showError(slot, error, prefix) {
  if (!error) {
    replace(slot);
    slot.hidden = true;
    return;
  }
  replace(slot, errorBlock(error, prefix));
  slot.hidden = false;
}

/** A panel's message for a refusal of the account's role, or a server without the route. */
export function unavailable(text) {
  return h('p', { class: 'panel-unavailable muted', role: 'note' }, text);
}

/**
 * Opens a modal dialog: `title`, a body (nodes), an optional reason field, and confirm / cancel buttons.
 * Resolves to {confirmed, reason}. The dialog is removed from the page afterwards.
 */
export function confirmDialog({ title, body = [], confirmLabel = 'Confirm', danger = false, reason = null, id }) {
  return new Promise((resolve) => {
    const titleID = uid('dialog-title');
    const reasonID = uid('dialog-reason');
    const reasonInput = reason ? h('textarea', { id: reasonID, name: 'reason', rows: 2, maxlength: 500,
      required: reason.required !== false }) : null;
    const problem = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const confirm = h('button', { type: 'submit', class: danger ? 'danger' : 'primary', value: 'confirm' },
      confirmLabel);
    const cancel = h('button', { type: 'button', value: 'cancel' }, 'Cancel');
    const form = h('form', { method: 'dialog', class: 'dialog-form' },
      h('h2', { id: titleID }, title), body,
      reason ? [h('label', { for: reasonID }, reason.label), reasonInput] : null,
      problem, h('div', { class: 'dialog-buttons' }, confirm, cancel));
    const dialog = h('dialog', { class: 'panel-dialog', 'aria-labelledby': titleID, id }, form);
    let settled = false;
    const finish = (confirmed) => {
      if (settled) return;
      settled = true;
      const value = reasonInput ? reasonInput.value.trim() : '';
      if (dialog.open) dialog.close();
      dialog.remove();
      resolve({ confirmed, reason: value });
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (reasonInput && reason.required !== false && !reasonInput.value.trim()) {
        problem.textContent = `${reason.label} is needed.`;
        problem.hidden = false;
        reasonInput.focus();
        return;
      }
      finish(true);
    });
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); finish(false); });
    document.body.append(dialog);
    dialog.showModal();
    (reasonInput || confirm).focus();
  });
}

/** A definition list of [term, description] pairs (descriptions may be nodes). */
export function facts(pairs, className = 'facts') {
  return h('dl', { class: className }, pairs.filter(Boolean).map(([term, value]) =>
    [h('dt', {}, term), h('dd', {}, value)]));
}

/** "dr.ada, 2026-12-06 14:03". */
export function byWhen(author, at) {
  return [author, at ? when(at) : null].filter(Boolean).join(', ');
}

/** A kind's title from the vocabulary ("Annular fissure"), else the kind itself. */
export function kindTitle(vocabulary, kind) {
  const spec = vocabulary.findingKinds.find((k) => k.kind === kind);
  return (spec && spec.title) || kind;
}

/**
 * A stored anchor (LevelAnnotation JSON: frame from 1, points {x, y}, patientPositions) or a request anchor (frame
 * from 0, points [x, y]) as the viewer's {sopInstanceUID, frame (from 0), points [[x, y]], patient}; null without one.
 */
export function viewerAnchor(anchor) {
  if (!anchor || !anchor.sopInstanceUID || !Array.isArray(anchor.points) || !anchor.points.length) return null;
  const stored = !Array.isArray(anchor.points[0]);
  const points = anchor.points.map((p) => (Array.isArray(p) ? [p[0], p[1]] : [p.x, p.y]));
  const frame = Number.isInteger(anchor.frame) ? (stored ? Math.max(0, anchor.frame - 1) : anchor.frame) : 0;
  return { sopInstanceUID: anchor.sopInstanceUID, frame, points, patient: anchor.patientPositions || null };
}

/** The request form of a viewer pick (what the API's `anchor` takes). */
export function anchorRequest(pick) {
  return { sopInstanceUID: pick.sopInstanceUID, frame: pick.frame || 0,
    points: pick.points.map(([x, y]) => [Math.round(x * 100) / 100, Math.round(y * 100) / 100]) };
}

/** A short description of a pick for people: "image 8 of series 1, 2 points". */
export function describePick(study, pick) {
  for (const series of study.series) {
    const instance = series.instances.find((i) => i.sopInstanceUID === pick.sopInstanceUID);
    if (instance) {
      const frame = instance.frames > 1 ? `, frame ${pick.frame + 1}` : '';
      const points = pick.points.length === 1 ? `at ${pick.points[0].map(Math.round).join(', ')}`
        : `${pick.points.length} points`;
      return `series ${series.seriesNumber ?? '?'} image ${instance.instanceNumber ?? '?'}${frame}, ${points}`;
    }
  }
  return `${pick.points.length} point(s)`;
}

/** Listens to `type` on `target` and returns the function that stops listening. */
export function listen(target, type, handler) {
  target.addEventListener(type, handler);
  return () => target.removeEventListener(type, handler);
}
