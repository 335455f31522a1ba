// The browser session: sign in and out, the account and its permissions, and the automatic sign-out after the
// server's idle time (GET /api/session says how long). Activity here (keys, pointer, wheel) keeps the page's timer
// fresh; the server keeps its own from requests, so the page signs out a little before the server would.

import { api, get, setCsrf, del } from './api.js';

let current = null;
let idleTimer = null;
let idleSeconds = 0;
let lastActivity = Date.now();
const listeners = new Set();

/** The signed-in account ({name, displayName, role, permissions}) or null. */
export function account() {
  return current ? current.account : null;
}

/** True when the signed-in account has the permission (e.g. 'sign', 'annotate'). */
export function can(permission) {
  return Boolean(current && current.account.permissions.includes(permission));
}

/** Calls `listener(session | null, reason)` whenever the session starts or ends. */
export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function set(session, reason) {
  current = session;
  setCsrf(session && session.csrfHeader, session && session.csrfToken);
  idleSeconds = session ? session.idleTimeoutSeconds : 0;
  lastActivity = Date.now();
  scheduleIdleCheck();
  for (const listener of listeners) listener(current, reason);
}

/** Asks the server whether a session exists (after a reload). */
export async function resume() {
  try {
    set(await get('/api/session'));
  } catch {
    set(null);
  }
  return current;
}

/** Signs in; rejects with the API's error (wrong password, locked out). */
export async function signIn(name, password) {
  set(await api('POST', '/api/session', { name, password }));
  return current;
}

/** Signs out (`reason` is shown on the sign-in page). */
export async function signOut(reason) {
  if (current) {
    try { await del('/api/session'); } catch { /* the session may already have ended */ }
  }
  set(null, reason);
}

function scheduleIdleCheck() {
  clearTimeout(idleTimer);
  if (!current || !idleSeconds) return;
  const remaining = idleSeconds * 1000 - (Date.now() - lastActivity);
  if (remaining <= 0) {
    const minutes = Math.round(idleSeconds / 60);
    signOut(`Signed out after ${minutes} minute${minutes === 1 ? '' : 's'} without activity.`);
    return;
  }
  idleTimer = setTimeout(scheduleIdleCheck, Math.min(remaining, 30_000));
}

function activity() {
  lastActivity = Date.now();
}

for (const type of ['keydown', 'pointerdown', 'wheel', 'pointermove']) {
  window.addEventListener(type, activity, { passive: true, capture: true });
}
// Any API call refused as unauthenticated (the server's idle or lifetime limit passed) ends the page's session.
window.addEventListener('annulus:unauthenticated', () => {
  if (current) set(null, 'Your session has ended: sign in again.');
});
