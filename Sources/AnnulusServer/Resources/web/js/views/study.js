// A study: the header, the viewer (series strip and image) and the side panel's tabs (levels, findings, intake,
// triage, hand-off). This module only composes; each part lives in its own module and they talk through
// `context.bus` (an EventTarget) and the viewer's API.
//
// The viewer (viewer/viewer.js, `createViewer`) offers:
//   ready                       Promise, resolved once the first image is painted
//   showSeries(seriesUID)       show a series (its first stack, middle slice)
//   goTo({sopInstanceUID, frame})  show the slice holding that image and frame
//   current()                   {series, stack, index, sopInstanceUID, frame, plane} of the slice shown
//   toPatient(sopInstanceUID, frame, [x, y])  patient coordinates (mm, LPS) of a pixel, or null without geometry
//   pick({mode: 'point'|'polyline', prompt})  Promise of {sopInstanceUID, frame, points: [[x, y]...],
//                               patient: [[x, y, z]...] | null}, or null when cancelled (Escape)
//   setMarks(layer, marks)      draw a layer ('findings', 'discs', ...): marks are {id, label, kind ('finding' |
//                               'disc'), status, warning, sopInstanceUID, frame, points, patient}
//   'slicechange' event         detail: current()
//   destroy()
// A panel module exports `create<Name>Panel(container, context)` returning {refresh(), destroy()}.
// Bus events: 'findings-changed', 'intake-changed', 'discs-changed' (triage and marks refresh on them).

import { get, seg } from '../api.js';
import { h, replace, badge } from '../dom.js';
import * as session from '../session.js';
import * as shortcuts from '../shortcuts.js';
import { createViewer } from '../viewer/viewer.js';
import { createLevelsPanel } from '../panels/levels.js';
import { createFindingsPanel } from '../panels/findings.js';
import { createIntakePanel } from '../panels/intake.js';
import { createTriagePanel } from '../panels/triage.js';
import { createHandoffPanel } from '../panels/handoff.js';

const TABS = [
  ['levels', 'Levels', createLevelsPanel],
  ['findings', 'Findings', createFindingsPanel],
  ['intake', 'Intake', createIntakePanel],
  ['triage', 'Triage', createTriagePanel],
  ['handoff', 'Hand-off', createHandoffPanel],
];

function studyHeader(study) {
  const s = study.study;
  const date = s.studyDate ? s.studyDate.replace(/^(\d{4})(\d\d)(\d\d)$/, '$1-$2-$3') : 'no date';
  return h('div', { class: 'study-header' },
    h('a', { href: '#/worklist', class: 'back-link' }, '← Worklist'),
    h('h1', { id: 'study-title' }, s.studyDescription || 'Study'),
    h('span', {}, `Patient ${s.patientID || '(none)'}`),
    h('span', {}, `Accession ${s.accessionNumber || '(none)'}`),
    h('span', {}, date),
    h('span', {}, s.modalities.join(', ')),
    s.draftAnnotations ? badge('draft', `${s.draftAnnotations} draft`) : null,
    s.signedAnnotations ? badge('signed', `${s.signedAnnotations} signed`) : null);
}

/** Shows the study `studyUID` in `main`. */
export async function showStudy(main, studyUID, { notify, stale = () => false }) {
  const [study, vocabulary] = await Promise.all([get(`/api/studies/${seg(studyUID)}`), get('/api/vocabulary')]);
  if (stale()) return { destroy() {} };
  const strip = h('nav', { class: 'series-strip', 'aria-label': 'Series' });
  const stage = h('section', { class: 'viewer-stage', 'aria-label': 'Image viewer' });
  const tabList = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Study panels' });
  const panelArea = h('div', { class: 'panel-area' });
  replace(main, h('div', { class: 'study-page' }, studyHeader(study),
    h('div', { class: 'study-body' }, strip, stage,
      h('aside', { class: 'side-panel', 'aria-label': 'Study panels' }, tabList, panelArea))));

  const bus = new EventTarget();
  const viewer = createViewer({ strip, stage, study, notify, shortcuts });
  const context = { study, vocabulary, viewer, bus, notify, session, shortcuts, showTab: (name) => select(name) };
  const panels = new Map();
  const buttons = new Map();
  TABS.forEach(([name, title, create], i) => {
    const panel = h('div', { class: 'panel', id: `panel-${name}`, role: 'tabpanel', 'aria-labelledby': `tab-${name}`,
      hidden: true, tabindex: '-1' });
    panelArea.append(panel);
    const button = h('button', { type: 'button', role: 'tab', id: `tab-${name}`, 'aria-controls': `panel-${name}`,
      'aria-selected': 'false', tabindex: '-1', onclick: () => select(name) }, title);
    tabList.append(button);
    buttons.set(name, button);
    panels.set(name, { element: panel, instance: create(panel, context) });
    shortcuts.bind(String(i + 1), `Show the ${title} panel`, () => select(name), 'view');
  });
  tabList.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const names = TABS.map(([n]) => n);
    const at = names.indexOf(tabList.querySelector('[aria-selected="true"]').id.slice(4));
    const next = names[(at + (event.key === 'ArrowRight' ? 1 : names.length - 1)) % names.length];
    select(next);
    buttons.get(next).focus();
    event.preventDefault();
    event.stopPropagation();
  });

  function select(name) {
    for (const [n, button] of buttons) {
      const on = n === name;
      button.setAttribute('aria-selected', String(on));
      button.tabIndex = on ? 0 : -1;
      panels.get(n).element.hidden = !on;
    }
  }
  select('findings');
  await viewer.ready;
  return {
    destroy() {
      for (const { instance } of panels.values()) if (instance && instance.destroy) instance.destroy();
      viewer.destroy();
    },
  };
}
