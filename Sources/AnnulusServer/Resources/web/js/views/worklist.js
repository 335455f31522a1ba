// The worklist: patients by what needs attention (urgent review, needs more information with what is missing,
// candidates awaiting sign-off, the rest), filters, each study's arrival time, and a link that opens the study.

import { get } from '../api.js';
import { h, replace, uid, when, badge } from '../dom.js';
import * as shortcuts from '../shortcuts.js';

const GROUPS = [
  [1, 'Urgent review', 'urgent'],
  [2, 'Needs more information', 'warning'],
  [3, 'Candidates awaiting sign-off', 'draft'],
  [4, 'Everything else', 'pending'],
];

function matches(entry, filters) {
  if (filters.priority && String(entry.priority) !== filters.priority) return false;
  if (filters.modality && !entry.studies.some((s) => s.modalities.includes(filters.modality))) return false;
  if (filters.text) {
    const needle = filters.text.toLowerCase();
    const hay = [entry.patientID, ...entry.accessions, ...entry.studies.map((s) => s.studyDescription || '')]
      .join(' ').toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}

function studyLink(study) {
  const label = [study.accessionNumber || 'no accession', study.studyDescription, study.modalities.join('/')]
    .filter(Boolean).join(' · ');
  return h('li', { class: 'worklist-study' },
    h('a', { href: `#/study/${study.studyInstanceUID}`, class: 'study-link',
      dataset: { study: study.studyInstanceUID } }, label),
    study.studyDate ? h('span', { class: 'muted' }, ` study date ${study.studyDate.replace(/^(\d{4})(\d\d)(\d\d)$/, '$1-$2-$3')}`) : null,
    study.arrivedAt ? h('span', { class: 'muted' }, ` · arrived ${when(study.arrivedAt)}`) : null);
}

function entryRow(entry, kind) {
  return h('li', { class: 'worklist-entry', dataset: { priority: entry.priority } },
    h('div', { class: 'entry-head' },
      badge(kind, entry.attention),
      h('span', { class: 'patient' }, entry.patientID ? `Patient ${entry.patientID}` : 'No patient ID'),
      entry.newestArrival ? h('span', { class: 'muted' }, ` newest arrival ${when(entry.newestArrival)}`) : null),
    h('p', { class: 'entry-detail' }, entry.detail),
    entry.missing.length && entry.priority === 2
      ? h('p', { class: 'entry-missing' }, 'Missing: ', entry.missing.join(', ')) : null,
    entry.imagingProblems.length
      ? h('p', { class: 'entry-problem' }, badge('warning', 'imaging problem'), ' ', entry.imagingProblems.join('; ')) : null,
    entry.unreadableFindings.length
      ? h('p', { class: 'entry-problem' }, badge('warning', 'unreadable findings'), ' ',
        entry.unreadableFindings.join('; ')) : null,
    h('ul', { class: 'worklist-studies' }, entry.studies.map(studyLink)));
}

/** Shows the worklist in `main`. */
export async function showWorklist(main, { stale = () => false } = {}) {
  const { entries } = await get('/api/worklist');
  if (stale()) return { destroy() {} };
  const filters = { priority: '', modality: '', text: '' };
  const modalities = [...new Set(entries.flatMap((e) => e.studies.flatMap((s) => s.modalities)))].sort();
  const list = h('div', { class: 'worklist-groups', id: 'worklist' });
  const count = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });

  function render() {
    const shown = entries.filter((e) => matches(e, filters));
    count.textContent = `${shown.length} of ${entries.length} patient${entries.length === 1 ? '' : 's'}`;
    replace(list, GROUPS.map(([priority, title, kind]) => {
      const group = shown.filter((e) => e.priority === priority);
      if (!group.length) return null;
      return h('section', { class: 'worklist-group', 'aria-label': title },
        h('h2', {}, title, h('span', { class: 'count' }, ` (${group.length})`)),
        h('ol', { class: 'worklist-entries' }, group.map((e) => entryRow(e, kind))));
    }), shown.length ? null : h('p', {}, 'No patient matches the filters.'));
  }

  const textID = uid('filter-text');
  const priorityID = uid('filter-priority');
  const modalityID = uid('filter-modality');
  const text = h('input', { id: textID, type: 'search', placeholder: 'patient ID, accession, description',
    oninput: (e) => { filters.text = e.target.value.trim(); render(); } });
  const controls = h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
    h('label', { for: textID }, 'Search'), text,
    h('label', { for: priorityID }, 'Attention'),
    h('select', { id: priorityID, onchange: (e) => { filters.priority = e.target.value; render(); } },
      h('option', { value: '' }, 'all'), GROUPS.map(([p, title]) => h('option', { value: String(p) }, title))),
    h('label', { for: modalityID }, 'Modality'),
    h('select', { id: modalityID, onchange: (e) => { filters.modality = e.target.value; render(); } },
      h('option', { value: '' }, 'all'), modalities.map((m) => h('option', { value: m }, m))),
    h('button', { type: 'button', onclick: () => location.reload() }, 'Refresh'));
  replace(main, h('div', { class: 'worklist-page' }, h('h1', {}, 'Worklist'), controls, count, list));
  render();
  shortcuts.bind('/', 'Search the worklist', () => text.focus(), 'view');
  return { destroy() {} };
}

/**
 * Shows the most recent studies in `main`, for an account that may read studies but has no worklist (a reader):
 * the 50 latest, searchable by patient ID or accession on the server.
 */
export async function showStudyList(main, { stale = () => false } = {}) {
  const textID = uid('study-search');
  const list = h('ul', { class: 'worklist-studies study-list', id: 'study-list' });
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  async function load(text) {
    // A search word is tried as a Patient ID, then as an Accession Number (the server matches each exactly).
    let page = await get(`/api/studies?limit=50${text ? '&patientID=' + encodeURIComponent(text) : ''}`);
    if (text && !page.studies.length) page = await get(`/api/studies?limit=50&accession=${encodeURIComponent(text)}`);
    replace(list, page.studies.map((s) => studyLink({ ...s, arrivedAt: s.lastIndexedAt })));
    status.textContent = `${page.studies.length} stud${page.studies.length === 1 ? 'y' : 'ies'}`;
  }
  await load('');
  if (stale()) return { destroy() {} };
  const input = h('input', { id: textID, type: 'search', placeholder: 'exact patient ID or accession' });
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (e) => {
    e.preventDefault();
    load(input.value.trim()).catch((error) => { status.textContent = error.message; });
  } }, h('label', { for: textID }, 'Find'), input, h('button', { type: 'submit' }, 'Search'));
  replace(main, h('div', { class: 'worklist-page' }, h('h1', {}, 'Studies'),
    h('p', { class: 'muted' }, 'Your role reads studies and findings; the worklist is for clinicians and coordinators.'),
    form, status, list));
  shortcuts.bind('/', 'Search the studies', () => input.focus(), 'view');
  return { destroy() {} };
}
