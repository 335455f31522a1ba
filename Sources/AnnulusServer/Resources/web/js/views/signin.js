// The sign-in form. A refusal shows the server's plain message (wrong name or password, locked out for N s).

import { h, replace, uid } from '../dom.js';
import * as session from '../session.js';

/** Shows the form in `main`; calls `onSignedIn` once signed in. */
export function showSignIn(main, { reason, onSignedIn }) {
  const nameID = uid('name');
  const passwordID = uid('password');
  const error = h('p', { class: 'form-error', role: 'alert', id: 'sign-in-error', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'sign-in', id: 'sign-in-form', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in to the reading room'),
    reason ? h('p', { class: 'sign-in-reason', role: 'status' }, reason) : null,
    h('label', { for: nameID }, 'Account name'),
    h('input', { id: nameID, name: 'name', autocomplete: 'username', required: true, maxlength: 64,
      autocapitalize: 'none', spellcheck: 'false' }),
    h('label', { for: passwordID }, 'Password'),
    h('input', { id: passwordID, name: 'password', type: 'password', autocomplete: 'current-password',
      required: true, maxlength: 1024 }),
    error, button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    button.disabled = true;
    try {
      await session.signIn(form.elements.name.value.trim(), form.elements.password.value);
      onSignedIn();
    } catch (e) {
      error.textContent = e.code === 'sign-in-refused'
        ? 'The account name or password is wrong.'
        : e.message;
      error.hidden = false;
      form.elements.password.value = '';
      form.elements.password.focus();
    } finally {
      button.disabled = false;
    }
  });
  replace(main, h('div', { class: 'sign-in-page' }, form));
  form.elements.name.focus();
  return { destroy() {} };
}
