import { adminForm, asBody, shownOnce } from './admin-forms.js';
import { answerOf, ApiError, hub } from './api.js';
import type { Answer } from './api-types.js';
import { h, replaceChildren } from './dom.js';

type Status = Answer<'/api/auth/second-factor', 'get'>;

/** The signed-in person's own account: password, second factor, and signing out everywhere. */
export class AccountView {
  readonly element = h('section', { class: 'account', 'aria-label': 'Your account' });

  constructor(private readonly signedOutEverywhere: () => void) {}

  async show(): Promise<void> {
    const status = await answerOf(hub.GET('/api/auth/second-factor')).catch(() => null);
    const secondFactor = h('div', { class: 'second-factor' });
    replaceChildren(
      this.element,
      h('h1', { class: 'page-title' }, 'Your account'),
      h(
        'div',
        { class: 'admin-body' },
        h('h2', {}, 'Second factor'),
        secondFactor,
        h('h2', {}, 'Change password'),
        adminForm({
          name: 'change-password',
          submitLabel: 'Change password',
          fields: [
            { name: 'current_password', label: 'Current password', type: 'password', required: true },
            {
              name: 'new_password',
              label: 'New password',
              type: 'password',
              required: true,
              hint: 'At least 12 characters; not your e-mail; not a well-known password',
            },
          ],
          submit: async (values) => (
            await answerOf(hub.POST('/api/auth/password', { body: asBody(values) })),
            'Password changed'
          ),
        }),
        h('h2', {}, 'Sessions'),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            'data-action': 'sign-out-everywhere',
            onclick: async () => {
              await answerOf(hub.POST('/api/auth/sign-out-everywhere')).catch(() => {});
              this.signedOutEverywhere();
            },
          },
          'Sign out everywhere',
        ),
      ),
    );
    this.renderSecondFactor(secondFactor, status);
  }

  private renderSecondFactor(target: HTMLElement, status: Status | null) {
    if (status?.enabled) {
      replaceChildren(
        target,
        h(
          'p',
          { role: 'status' },
          `An authenticator app is set up (${status.recovery_codes_left} recovery codes left).`,
        ),
        !status.required &&
          adminForm({
            name: 'remove-second-factor',
            submitLabel: 'Remove authenticator',
            fields: [{ name: 'code', label: 'Current code', required: true }],
            submit: async (values) => (
              await answerOf(hub.POST('/api/auth/second-factor/remove', { body: asBody(values) })),
              await this.show(),
              'Removed'
            ),
          }),
      );
      return;
    }
    replaceChildren(
      target,
      h(
        'p',
        {},
        status?.required
          ? 'The firm requires an authenticator app for your role: set one up to continue.'
          : 'Add an authenticator app (TOTP) for a second step at sign-in.',
      ),
      h(
        'button',
        {
          type: 'button',
          'data-action': 'enrol',
          onclick: async () => {
            try {
              const enrolment = await answerOf(hub.POST('/api/auth/second-factor/enrol'));
              const shown = h('div', {});
              shownOnce(
                shown,
                'Secret for your authenticator app',
                enrolment.secret,
                `Or open ${enrolment.otpauth_uri}`,
              );
              const codes = h('div', {});
              replaceChildren(
                target,
                shown,
                adminForm({
                  name: 'confirm-second-factor',
                  submitLabel: 'Confirm',
                  fields: [{ name: 'code', label: 'Code from the app', required: true }],
                  submit: async (values) => {
                    const done = await answerOf(hub.POST('/api/auth/second-factor/confirm', { body: asBody(values) }));
                    shownOnce(
                      codes,
                      'Recovery codes (each works once; keep them safe)',
                      done.recovery_codes.join(' '),
                      'They are shown only now.',
                    );
                    return 'Authenticator set up';
                  },
                }),
                codes,
              );
            } catch (error) {
              target.append(
                h(
                  'p',
                  { class: 'error', role: 'alert' },
                  error instanceof ApiError ? error.message : 'Could not start',
                ),
              );
            }
          },
        },
        'Set up authenticator',
      ),
    );
  }
}
