// The reading room's entry point: resumes the session, then shows the view the address names.
//   #/worklist          the worklist (default)
//   #/study/{studyUID}  a study: viewer, levels, findings, intake, triage, hand-off
// Signed out, every address shows the sign-in form and returns to the address after signing in.

import { h, replace } from './dom.js';
import * as session from './session.js';
import * as shortcuts from './shortcuts.js';
import { showSignIn } from './views/signin.js';
import { showWorklist, showStudyList } from './views/worklist.js';
import { showStudy } from './views/study.js';

const main = document.getElementById('main');
const whoami = document.getElementById('whoami');
let currentView = null;
let signOutReason = null;

/** Shows a short message in the notice bar (for screen readers too). */
export function notify(message, kind = 'info') {
  const notice = document.getElementById('notice');
  notice.textContent = message;
  notice.className = `notice notice-${kind}`;
  notice.hidden = !message;
}

function renderWhoami(current) {
  if (!current) {
    replace(whoami);
    return;
  }
  const a = current.account;
  replace(whoami,
    h('span', { class: 'account-name' }, a.displayName || a.name),
    ' ', h('span', { class: 'role', 'aria-label': `role ${a.role}` }, a.role),
    ' ', h('button', { type: 'button', class: 'link-button', id: 'sign-out',
      onclick: () => session.signOut('You signed out.') }, 'Sign out'));
}

let routeGeneration = 0;

async function route() {
  // Routes overlap (a sign-out while a study loads, a quick second click): only the latest may fill the page.
  routeGeneration += 1;
  const generation = routeGeneration;
  const stale = () => generation !== routeGeneration;
  if (currentView && currentView.destroy) currentView.destroy();
  currentView = null;
  shortcuts.unbindScope('view');
  if (!session.account()) {
    currentView = showSignIn(main, { reason: signOutReason, onSignedIn: () => { signOutReason = null; route(); } });
    return;
  }
  const hash = location.hash || '#/worklist';
  const study = hash.match(/^#\/study\/([0-9.]{1,64})$/);
  let view = null;
  try {
    if (study) view = await showStudy(main, study[1], { notify, stale });
    else if (session.can('worklist')) view = await showWorklist(main, { notify, stale });
    else view = await showStudyList(main, { notify, stale });
  } catch (error) {
    if (stale()) return;
    replace(main, h('div', { class: 'error-page', role: 'alert' },
      h('h1', {}, 'This page could not be shown'), h('p', {}, error.message),
      h('p', {}, h('a', { href: '#/worklist' }, 'Back to the worklist'))));
  }
  if (stale()) {
    if (view && view.destroy) view.destroy();
    return;
  }
  currentView = view;
  main.focus({ preventScroll: true });
}

function showHelp() {
  const dialog = document.getElementById('shortcuts-dialog');
  const body = dialog.querySelector('tbody');
  replace(body, shortcuts.active().map(([key, description]) =>
    h('tr', {}, h('th', { scope: 'row' }, h('kbd', {}, key)), h('td', {}, description))));
  dialog.showModal();
}

document.getElementById('help-button').addEventListener('click', showHelp);
shortcuts.bind('?', 'Show the keyboard shortcuts', showHelp);
shortcuts.bind('w', 'Go to the worklist', () => { location.hash = '#/worklist'; });

session.onChange((current, reason) => {
  renderWhoami(current);
  if (!current) {
    signOutReason = reason || null;
    route();
  }
});
window.addEventListener('hashchange', route);

await session.resume();
renderWhoami(session.account() ? { account: session.account() } : null);
await route();
window.__annulusReady = true;
