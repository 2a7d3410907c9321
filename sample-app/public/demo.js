// The demo page of the sample app: no framework, no build step. The access token lives in this
// module's memory only (never localStorage or sessionStorage, which any XSS can read); the
// refresh token lives in an HttpOnly cookie that this script cannot read at all. Every call
// that uses the cookie sends `X-Refresh-Transport: cookie`, the server's CSRF check.

const COOKIE_MODE = { 'X-Refresh-Transport': 'cookie' };
// Tabs of one browser share the cookie, so they share the session: tell each other about it.
const channel = new BroadcastChannel('nest-hybrid-auth-demo');

/** @type {{ accessToken: string, expiresAt: number } | null} */
let current = null;
let refreshTimer = 0;
/** @type {Promise<boolean> | null} */
let refreshing = null;
let refreshCount = 0;

const $ = (id) => document.getElementById(id);

function show(state, text) {
  $('status').dataset.state = state;
  $('status').textContent = text;
  $('signed-in').hidden = state !== 'signed-in';
  $('signed-out').hidden = state !== 'signed-out';
}

function signedOut(message = '') {
  current = null;
  clearTimeout(refreshTimer);
  $('me').textContent = '';
  $('claims').textContent = '';
  $('sessions').replaceChildren();
  $('form-message').textContent = message;
  show('signed-out', 'Signed out');
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    return typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

// Refresh a little before expiry: a quarter of the lifetime, at most a minute, at least 1 s.
function scheduleRefresh(expiresInSeconds) {
  clearTimeout(refreshTimer);
  const lifetime = expiresInSeconds * 1000;
  const margin = Math.min(60_000, Math.max(1000, lifetime / 4));
  refreshTimer = setTimeout(() => void refresh(true), Math.max(0, lifetime - margin));
}

function scheduleRetry(seconds) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refresh(current !== null), seconds * 1000);
}

async function accept(pair) {
  current = { accessToken: pair.accessToken, expiresAt: Date.now() + pair.expiresIn * 1000 };
  scheduleRefresh(pair.expiresIn);
  await render();
}

/**
 * Trades the cookie for a new access token. Concurrent callers in this tab share one request;
 * other tabs may send theirs at the same moment, and the server's grace window gives them all
 * the same successor, so the session never forks.
 */
function refresh(silent = false) {
  refreshing ??= (async () => {
    try {
      const response = await fetch('/auth/refresh', {
        method: 'POST',
        headers: COOKIE_MODE,
        credentials: 'same-origin',
      });
      if (response.status === 401) {
        signedOut();
        return false;
      }
      if (!response.ok) {
        // Rate-limited (429) or the database is down (503): the cookie is still good, so keep
        // the page as it is and try again when the server says.
        const message = await errorMessage(response);
        if (current === null) signedOut(`${message}; retrying`);
        scheduleRetry(Number(response.headers.get('Retry-After')) || 5);
        return current !== null;
      }
      if (silent) refreshCount += 1;
      await accept(await response.json());
      return true;
    } catch {
      // Network trouble: keep the page as it is and try again shortly.
      scheduleRetry(5);
      return current !== null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** A call with the access token; on 401 one refresh and one retry, then signed out. */
async function authorized(path, init = {}) {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (current === null) return null;
    const response = await fetch(path, {
      ...init,
      headers: { ...init.headers, Authorization: `Bearer ${current.accessToken}` },
    });
    if (response.status !== 401) return response;
    if (attempt === 0 && !(await refresh())) return null;
  }
  signedOut();
  return null;
}

async function render() {
  const [me, claims, sessions] = await Promise.all([
    authorized('/me'),
    authorized('/me/claims'),
    authorized('/auth/sessions'),
  ]);
  if (current === null || me === null || claims === null || sessions === null) return;
  const user = await me.json();
  $('me').textContent = JSON.stringify(user, null, 2);
  $('claims').textContent = JSON.stringify(await claims.json(), null, 2);
  $('refresh-count').textContent = String(refreshCount);
  showCountdown();
  renderSessions(await sessions.json());
  show('signed-in', `Signed in as ${user.email}`);
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function renderSessions(sessions) {
  const rows = sessions.map((session) => {
    const row = document.createElement('tr');
    row.dataset.sessionId = session.id;
    const id = cell(`${session.id.slice(0, 8)}…${session.current ? ' (this one)' : ''}`);
    if (session.current) id.classList.add('current');
    const revoke = document.createElement('button');
    revoke.type = 'button';
    revoke.className = 'danger';
    revoke.textContent = 'Revoke';
    revoke.addEventListener('click', () => void revokeSession(session));
    const action = document.createElement('td');
    action.append(revoke);
    row.append(
      id,
      cell(new Date(session.createdAt).toLocaleString()),
      cell(new Date(session.lastUsedAt).toLocaleString()),
      cell(`${session.ip ?? '?'} · ${session.userAgent ?? 'unknown client'}`, 'client'),
      action,
    );
    return row;
  });
  $('sessions').replaceChildren(...rows);
}

async function revokeSession(session) {
  const response = await authorized(`/auth/sessions/${encodeURIComponent(session.id)}`, {
    method: 'DELETE',
  });
  if (response === null) return;
  if (session.current) {
    // This browser's own session: clear the now useless cookie as well.
    await logout();
  } else {
    await render();
  }
}

async function logout() {
  await fetch('/auth/logout', { method: 'POST', headers: COOKIE_MODE, credentials: 'same-origin' });
  signedOut();
  // BroadcastChannel.postMessage takes no targetOrigin: a channel never leaves this origin.
  // oxlint-disable-next-line unicorn/require-post-message-target-origin
  channel.postMessage({ type: 'logout' });
}

async function signIn(path, email, password) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { ...COOKIE_MODE, 'Content-Type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify({ email, password }),
  });
  return response;
}

async function login(event) {
  event.preventDefault();
  const email = $('email').value;
  const password = $('password').value;
  const response = await signIn('/auth/login', email, password);
  if (!response.ok) {
    $('form-message').textContent = await errorMessage(response);
    return;
  }
  $('password').value = '';
  $('form-message').textContent = '';
  await accept(await response.json());
  // oxlint-disable-next-line unicorn/require-post-message-target-origin
  channel.postMessage({ type: 'login' });
}

async function signup() {
  if (!$('credentials').reportValidity()) return;
  const registered = await signIn('/auth/register', $('email').value, $('password').value);
  if (!registered.ok) {
    $('form-message').textContent = await errorMessage(registered);
    return;
  }
  await login(new Event('submit'));
}

channel.addEventListener('message', (event) => {
  if (event.data?.type === 'logout') {
    signedOut();
  } else if (event.data?.type === 'login' && current === null) {
    void refresh();
  }
});

function showCountdown() {
  if (current !== null) {
    const seconds = Math.max(0, Math.round((current.expiresAt - Date.now()) / 1000));
    $('expires-in').textContent = String(seconds);
  }
}
setInterval(showCountdown, 250);

$('credentials').addEventListener('submit', (event) => void login(event));
$('signup').addEventListener('click', () => void signup());
$('logout').addEventListener('click', () => void logout());
$('refresh-now').addEventListener('click', () => void refresh(true));

// A reload or a new tab: the cookie, if any, opens the session again.
void refresh();
