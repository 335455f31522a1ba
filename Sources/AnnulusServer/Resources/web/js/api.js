// The API client: JSON in and out, the session's anti-CSRF header on every state-changing request, and one error
// type carrying what the server said (code, message, the field, the allowed values, the suggestion).

let csrf = null;

/** Remembers the anti-CSRF header the session gave (sent with POST, PUT and DELETE). */
export function setCsrf(header, token) {
  csrf = header && token ? { header, token } : null;
}

/** An error answer of the API (or the network), shown to people as `message`. */
export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `request failed (HTTP ${status})`);
    this.status = status;
    this.code = e.code || (status === 0 ? 'network' : 'http-' + status);
    this.field = e.field;
    this.value = e.value;
    this.allowed = e.allowed;
    this.suggestion = e.suggestion;
    this.problems = e.problems;
  }
}

/** Calls the API: resolves to the parsed JSON body (null for 204), rejects with ApiError. */
export async function api(method, path, body, { signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers[csrf.header] = csrf.token;
  let response;
  try {
    response = await fetch(path, {
      method, headers, signal, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, { error: { code: 'network', message: 'the server cannot be reached: check the connection' } });
  }
  if (response.status === 204) return null;
  let parsed = null;
  const text = await response.text();
  if (text) {
    try { parsed = JSON.parse(text); } catch { parsed = null; }
  }
  if (!response.ok) {
    if (response.status === 401 && path !== '/api/session') {
      window.dispatchEvent(new CustomEvent('annulus:unauthenticated'));
    }
    throw new ApiError(response.status, parsed);
  }
  return parsed;
}

export const get = (path, options) => api('GET', path, undefined, options);
export const post = (path, body, options) => api('POST', path, body ?? {}, options);
export const put = (path, body, options) => api('PUT', path, body, options);
export const del = (path, options) => api('DELETE', path, undefined, options);

/** Encodes a path segment (UIDs, ids). */
export const seg = (value) => encodeURIComponent(String(value));
