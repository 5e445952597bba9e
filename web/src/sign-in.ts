import { answerOf, ApiError, hub } from './api.js';
import type { Schema } from './api-types.js';
import { h, replaceChildren } from './dom.js';
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

type SignedIn = Schema<'SignedIn'>;
type Challenge = Schema<'SecondFactorChallenge'>;
export type SignedInHandler = (session: Session, mustEnrolSecondFactor: boolean) => void;

const sessionOf = (result: SignedIn): Session => ({
  token: result.token,
  expires_at: result.expires_at,
  user: result.user,
});
const labelled = (label: string, control: HTMLElement) => h('label', {}, label, control);

function page(...children: (Node | string | null | false)[]) {
  return h('main', { class: 'sign-in-page' }, ...children);
}

/** After a password: signed in, or the second step asks for a code from the authenticator (or a recovery code). */
function continueSignIn(form: HTMLElement, result: SignedIn | Challenge, signedIn: SignedInHandler) {
  if (!('second_factor_required' in result))
    return signedIn(sessionOf(result), Boolean(result.second_factor_enrollment_required));
  const code = h('input', {
    name: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    'aria-label': 'Code',
    maxlength: 6,
  }) as HTMLInputElement;
  const recovery = h('input', {
    name: 'recovery_code',
    autocomplete: 'off',
    'aria-label': 'Recovery code',
  }) as HTMLInputElement;
  const message = h('p', { class: 'error', role: 'alert' });
  replaceChildren(
    form,
    h('h1', {}, 'Second step'),
    h('p', {}, 'Enter the code from your authenticator app, or one of your recovery codes.'),
    labelled('Code', code),
    labelled('Recovery code', recovery),
    message,
    h('button', { type: 'submit', class: 'primary' }, 'Continue'),
  );
  form.onsubmit = async (event) => {
    event.preventDefault();
    try {
      const body = code.value.trim()
        ? { challenge: result.challenge, code: code.value.trim() }
        : { challenge: result.challenge, recovery_code: recovery.value.trim() };
      const done = await answerOf(hub.POST('/api/auth/second-factor', { body }));
      signedIn(sessionOf(done), false);
    } catch (error) {
      message.textContent = error instanceof ApiError ? error.message : 'Could not sign in';
    }
  };
  code.focus();
}

export function signInView(signedIn: SignedInHandler, notice?: string): HTMLElement {
  const email = h('input', {
    type: 'email',
    name: 'email',
    autocomplete: 'username',
    required: true,
    'aria-label': 'E-mail',
  }) as HTMLInputElement;
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
    'aria-label': 'Password',
  }) as HTMLInputElement;
  const message = h('p', { class: 'error', role: 'alert' }, notice ?? '');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in') as HTMLButtonElement;
  const sso = h('div', { class: 'sso' });

  const form: HTMLFormElement = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        submit.disabled = true;
        message.textContent = '';
        try {
          const result = await answerOf(
            hub.POST('/api/auth/login', { body: { email: email.value, password: password.value } }),
          );
          continueSignIn(form, result, signedIn);
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
    sso,
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
  // Single sign-on is offered when the hub is configured for it.
  void answerOf(hub.GET('/api/auth/sso'))
    .then((config) => {
      if (config.enabled)
        replaceChildren(
          sso,
          h('a', { class: 'button sso-button', href: '/api/auth/oidc/start' }, `Sign in with ${config.display_name}`),
        );
    })
    .catch(() => {});
  return page(form);
}

/** The page a one-time link opens: choose a password under the documented policy, and be signed in. */
export function setPasswordView(token: string, signedIn: SignedInHandler): HTMLElement {
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'new-password',
    required: true,
    'aria-label': 'New password',
  }) as HTMLInputElement;
  const message = h('p', { class: 'error', role: 'alert' });
  const intro = h('p', {}, 'Checking the link…');
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'sign-in',
      'data-form': 'set-password',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        message.textContent = '';
        try {
          const result = await answerOf(
            hub.POST('/api/auth/password-links/{token}', {
              params: { path: { token } },
              body: { password: password.value },
            }),
          );
          history.replaceState(null, '', '#/');
          continueSignIn(form, result, signedIn);
        } catch (error) {
          message.textContent = error instanceof ApiError ? error.message : 'Could not set the password';
        }
      },
    },
    h('h1', {}, 'Choose a password'),
    intro,
    h('label', {}, 'New password', password),
    message,
    h('button', { type: 'submit', class: 'primary' }, 'Set password and sign in'),
  );
  void answerOf(hub.GET('/api/auth/password-links/{token}', { params: { path: { token } } }))
    .then((link) => replaceChildren(intro, `For ${link.name} <${link.email}>. ${link.policy}`))
    .catch((error) => {
      replaceChildren(intro);
      message.textContent = error instanceof ApiError ? error.message : 'This link cannot be checked';
    });
  return page(form);
}

/** Back from the identity provider: trade the one-time hand-over code for a session. */
export async function completeSingleSignOn(handoff: string, signedIn: SignedInHandler): Promise<string | undefined> {
  try {
    const result = await answerOf(hub.POST('/api/auth/oidc/complete', { body: { handoff } }));
    signedIn(sessionOf(result), false);
    return undefined;
  } catch (error) {
    return error instanceof ApiError ? error.message : 'Single sign-on did not complete';
  }
}
