// The triage panel: the candidacy evaluation of the patient (GET /api/studies/{uid}/triage, the same JSON as
// `annulus triage --json`): the outcome for the patient and per level, every reason with its rule, status, the facts
// it read and its source; what is missing, each missing fact a link to where it is recorded (an intake field, or a
// finding of the kind that records it at that level); the evidence note. It refreshes whenever findings, the intake
// or the disc labels change.

import { get, seg } from '../api.js';
import { badge, h, replace, uid } from '../dom.js';
import { listen, outcomeBadge, showError, unavailable } from './common.js';

const STATUS = { met: ['signed', 'met'], unmet: ['not-candidate', 'unmet'], unknown: ['undetermined', 'unknown'] };

export function createTriagePanel(container, context) {
  const { study, vocabulary, bus, session } = context;
  const studyUID = study.study.studyInstanceUID;
  const intakeByFact = new Map();
  for (const spec of vocabulary.intakeFields || []) for (const fact of spec.facts) intakeByFact.set(fact, spec);
  const kindsByFact = new Map();
  for (const k of vocabulary.findingKinds) for (const fact of k.facts || []) {
    if (!kindsByFact.has(fact)) kindsByFact.set(fact, []);
    kindsByFact.get(fact).push(k);
  }
  let destroyed = false;
  let includeDrafts = false;
  let loading = null;
  const cleanups = [];
  const draftsID = uid('include-drafts');
  const drafts = h('input', { type: 'checkbox', id: draftsID,
    onchange: (e) => { includeDrafts = e.target.checked; load(); } });
  const body = h('div', { class: 'triage-body', id: 'triage', 'aria-live': 'polite' });
  const errorSlot = h('div', { hidden: true });
  container.append(
    h('div', { class: 'panel-toolbar' },
      h('span', { class: 'check' }, drafts, h('label', { for: draftsID }, 'Include draft findings')),
      h('button', { type: 'button', onclick: () => load() }, 'Refresh')),
    errorSlot, body);

  if (!session.can('triage')) {
    replace(container, unavailable('Your role cannot see the triage (it needs the triage permission).'));
    return { refresh() {}, destroy() {} };
  }

  async function load() {
    const request = get(`/api/studies/${seg(studyUID)}/triage${includeDrafts ? '?includeDrafts=true' : ''}`);
    loading = request;
    try {
      const evaluation = await request;
      if (destroyed || loading !== request) return;
      showError(errorSlot, null);
      render(evaluation);
    } catch (error) {
      if (!destroyed && loading === request) showError(errorSlot, error, 'The triage could not be loaded');
    }
  }

  function factLink(fact, level) {
    const spec = intakeByFact.get(fact);
    if (spec && session.can('intake')) {
      return h('button', { type: 'button', class: 'link-button missing-link', dataset: { fact, target: 'intake' },
        onclick: () => bus.dispatchEvent(new CustomEvent('record-intake', { detail: { key: spec.key } })) },
      `${spec.label} (intake)`);
    }
    const kinds = kindsByFact.get(fact);
    if (kinds && kinds.length && session.can('annotate')) {
      return h('span', {}, kinds.map((k, i) => [i ? ' or ' : '', h('button', { type: 'button',
        class: 'link-button missing-link', dataset: { fact, target: 'finding', kind: k.kind },
        onclick: () => bus.dispatchEvent(new CustomEvent('add-finding', { detail: { kind: k.kind, level } })) },
      `add ${k.title || k.kind}${level ? ' at ' + level : ''}`)]));
    }
    return h('span', {}, spec ? `${spec.label} (intake)` : kinds ? kinds.map((k) => k.title).join(' or ') : fact);
  }

  function reasonItem(reason, level) {
    const [kind, word] = STATUS[reason.status] || ['undetermined', reason.status];
    return h('li', { class: ['reason', `reason-${reason.status}`], dataset: { rule: reason.ruleID } },
      h('div', {}, badge(kind, word), ' ', h('strong', {}, reason.ruleID), ` (${reason.kind}) `, reason.text),
      reason.facts && reason.facts.length ? h('ul', { class: 'reason-facts' }, reason.facts.map((f) =>
        h('li', {}, h('code', {}, f.fact), ' = ', f.display,
          f.display === 'unknown' ? [' — ', factLink(f.fact, level)] : null))) : null,
      h('p', { class: 'reason-source muted' }, 'Source: ', reason.source));
  }

  function missingList(facts, level) {
    if (!facts || !facts.length) return null;
    return h('div', { class: 'missing' }, h('h4', {}, 'Missing'),
      h('ul', {}, facts.map((fact) => h('li', { dataset: { fact } }, h('code', {}, fact), ' — ', factLink(fact, level)))));
  }

  function render(e) {
    const levels = e.levels || [];
    replace(body,
      h('section', { class: 'triage-patient', 'aria-label': 'Patient' },
        h('h3', {}, 'Patient ', outcomeBadge(e.outcome)),
        h('p', { class: 'evidence-note', role: 'note' }, e.disclaimer),
        e.includesDrafts ? h('p', { class: 'drafts-note' }, badge('draft', 'includes drafts'),
          ' This evaluation includes draft (unsigned) findings: it is not based on a clinician’s signed read.') : null,
        (e.notes || []).map((n) => h('p', { class: 'triage-note' }, n)),
        h('p', { class: 'muted' }, `Rule set ${e.ruleSetVersion}`),
        h('details', { class: 'patient-reasons' }, h('summary', {}, `Patient rules (${(e.patientReasons || []).length})`),
          h('ul', { class: 'reasons' }, (e.patientReasons || []).map((r) => reasonItem(r, null))))),
      levels.length ? null : h('p', { class: 'muted' }, 'No level has a finding that counts yet' +
        (includeDrafts ? '.' : ': only signed findings count unless drafts are included.')),
      levels.map((l) => h('section', { class: 'triage-level', dataset: { level: l.level, outcome: l.outcome },
        'aria-label': `Level ${l.level}` },
      h('h3', {}, l.level, ' ', outcomeBadge(l.outcome)),
      (l.notes || []).map((n) => h('p', { class: 'triage-note' }, n)),
      missingList(l.missingFacts, l.level),
      (l.cautions || []).length ? h('div', { class: 'cautions' }, h('h4', {}, 'Cautions'),
        h('ul', { class: 'reasons' }, l.cautions.map((r) => reasonItem(r, l.level)))) : null,
      (l.supportive || []).length ? h('div', { class: 'supportive' }, h('h4', {}, 'Supportive'),
        h('ul', { class: 'reasons' }, l.supportive.map((r) => reasonItem(r, l.level)))) : null,
      h('details', { class: 'level-reasons', open: l.outcome !== 'candidate' },
        h('summary', {}, `Reasons (${(l.reasons || []).length})`),
        h('ul', { class: 'reasons' }, (l.reasons || []).map((r) => reasonItem(r, l.level)))))));
  }

  for (const type of ['findings-changed', 'intake-changed', 'discs-changed']) cleanups.push(listen(bus, type, load));
  load();
  return {
    refresh: load,
    destroy() {
      destroyed = true;
      for (const stop of cleanups) stop();
    },
  };
}
