import type { RealtimeUser } from '../../contracts/socket-events.js';
import { api, ApiError } from './api.js';
import { h } from './dom.js';
import type { Session } from './session.js';

/** The logins `npm start` seeds (password in the README), one click to fill the form. */
const DEMO_LOGINS = [
  ['omar.ops@hub.example', 'Ops'],
  ['carla.compliance@hub.example', 'Compliance'],
  ['colin.compliance@hub.example', 'Compliance'],
  ['maya.manager@hub.example', 'Manager'],
  ['alex.advisor@hub.example', 'Advisor'],
  ['beth.advisor@hub.example', 'Advisor'],
  ['ada.admin@hub.example', 'Admin'],
  ['chris.carter@client.example', 'Client'],
] as const;
const DEMO_PASSWORD = 'demo-hub-2026';

export function signInView(signedIn: (session: Session) => void, notice?: string): HTMLElement {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, 'aria-label': 'E-mail' }) as HTMLInputElement;
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, 'aria-label': 'Password' }) as HTMLInputElement;
  const message = h('p', { class: 'error', role: 'alert' }, notice ?? '');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in') as HTMLButtonElement;

  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        submit.disabled = true;
        message.textContent = '';
        try {
          const result = await api<{ token: string; expires_at: string; user: RealtimeUser & { email: string } }>('POST', '/auth/login', {
            email: email.value,
            password: password.value,
          });
          signedIn({ token: result.token, expires_at: result.expires_at, user: result.user });
        } catch (error) {
          message.textContent = error instanceof ApiError ? error.message : 'Could not sign in';
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h1', {}, 'Ops hub'),
    h('label', {}, 'E-mail', email),
    h('label', {}, 'Password', password),
    message,
    submit,
    h(
      'details',
      { class: 'demo-logins' },
      h('summary', {}, 'Demo users'),
      h(
        'ul',
        {},
        ...DEMO_LOGINS.map(([login, role]) =>
          h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'link',
                onclick: () => {
                  email.value = login;
                  password.value = DEMO_PASSWORD;
                  submit.focus();
                },
              },
              login,
            ),
            h('span', { class: 'muted' }, ` ${role}`),
          ),
        ),
      ),
    ),
  );
  return h('main', { class: 'sign-in-page' }, form);
}
