import type { RealtimeUser } from '../../contracts/socket-events.js';
import { CLIENT_TYPES, clientOnboardingSpec } from '../../workflows/client-onboarding/spec.js';
import { roleMayRun } from '../../workflows/policy.js';
import { adminForm, shownOnce, type FieldSpec, type FormValues } from './admin-forms.js';
import { answerOf, hub } from './api.js';
import type { components, paths } from './api-schema.js';
import { h, replaceChildren } from './dom.js';
import { formatTimestamp, humanize } from './format.js';
import { kycNote } from './kyc-note.js';
import { processHash } from './router.js';

type InviteBody = paths['/api/onboardings']['post']['requestBody']['content']['application/json'];
type Client = components['schemas']['Client'];

/**
 * The onboarding board's "Invite client": a form for a new client (name, e-mail, type) or one the firm has,
 * sent to POST /api/onboardings; the answer's one-time set-password link is shown to copy. Only for those the
 * policy lets invite; anyone else gets no button.
 */
export function inviteClientAction(processType: string, user: RealtimeUser): HTMLElement | null {
  if (processType !== clientOnboardingSpec.processType) return null;
  if (!roleMayRun(clientOnboardingSpec, 'invite_client', user.role)) return null;
  return new InviteClientPanel(user).element;
}

class InviteClientPanel {
  readonly element: HTMLElement;
  private readonly panel = h('section', {
    class: 'invite-client-panel',
    id: 'invite-client-panel',
    'aria-label': 'Invite a client to onboarding',
    hidden: true,
  });
  private readonly toggle = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      'data-action': 'invite-client',
      'aria-expanded': 'false',
      'aria-controls': 'invite-client-panel',
      onclick: () => void this.setOpen(this.panel.hidden),
    },
    'Invite client',
  );

  constructor(private readonly user: RealtimeUser) {
    this.element = h('div', { class: 'invite-client' }, this.toggle, this.panel);
  }

  private async setOpen(open: boolean) {
    this.panel.hidden = !open;
    this.toggle.setAttribute('aria-expanded', String(open));
    if (open) await this.showForm();
  }

  private async showForm() {
    const [clients, advisors] = await Promise.all([
      answerOf(hub.GET('/api/clients')).then(
        (answer) => answer.clients,
        () => [] as Client[],
      ),
      this.advisors(),
    ]);
    // One key per form: sending it twice (a double click, a retry after a lost answer) invites once.
    const idempotencyKey = crypto.randomUUID();
    const fields: FieldSpec[] = [
      {
        name: 'client_id',
        label: 'A client the firm has',
        type: 'select',
        hint: 'Or leave it and describe a new client below',
        options: clients.map((c) => [c.id, [c.name, kycNote(c)].filter(Boolean).join(' · ')] as [string, string]),
      },
      { name: 'client.name', label: 'Name', required: true },
      { name: 'client.email', label: 'E-mail', type: 'email', required: true },
      {
        name: 'client.client_type',
        label: 'Client type',
        type: 'select',
        required: true,
        value: 'individual',
        options: CLIENT_TYPES.map((t) => [t, humanize(t)] as [string, string]),
      },
      { name: 'client.jurisdiction', label: 'Jurisdiction', hint: 'Two-letter country code, such as DE' },
      ...(advisors
        ? [
            {
              name: 'advisor_id',
              label: 'Advisor',
              type: 'select',
              required: true,
              options: advisors.map((a) => [a.id, a.name] as [string, string]),
            } satisfies FieldSpec,
          ]
        : []),
    ];
    replaceChildren(
      this.panel,
      h('h2', {}, 'Invite a client to onboarding'),
      adminForm({
        name: 'invite-client',
        submitLabel: 'Invite',
        fields,
        submit: async (values) => {
          const answer = await answerOf(
            hub.POST('/api/onboardings', {
              body: bodyOf(values),
              params: { header: { 'idempotency-key': idempotencyKey } },
            }),
          );
          this.showInvited(answer.onboarding, answer.invitation);
          return 'Invited';
        },
      }),
    );
    this.panel.querySelector<HTMLElement>('select, input')?.focus();
  }

  /** Whom an inviter who is not an advisor names as the new client's advisor; an advisor is the advisor. */
  private async advisors(): Promise<{ id: string; name: string }[] | null> {
    if (this.user.role === 'advisor') return null;
    return answerOf(hub.GET('/api/admin/users', { params: { query: { role: 'advisor', active: 'true' } } })).then(
      (answer) => answer.users,
      () => null,
    );
  }

  private showInvited(
    onboarding: { onboarding_id: string; client_name: string },
    invitation: { link: string; expires_at: string } | null,
  ) {
    const link = h('div', { class: 'invitation-link' });
    if (invitation)
      shownOnce(
        link,
        `Invitation link for ${onboarding.client_name}`,
        invitation.link,
        `Send it to the client yourself (the hub does not e-mail it): it works once, until ${formatTimestamp(invitation.expires_at)}.`,
      );
    replaceChildren(
      this.panel,
      h('h2', {}, 'Invite a client to onboarding'),
      h(
        'p',
        { role: 'status', class: 'invited', 'data-onboarding-id': onboarding.onboarding_id },
        `${onboarding.client_name} is invited.`,
        invitation ? '' : ' They have a password already: they find the onboarding under My onboarding.',
      ),
      link,
      h(
        'div',
        { class: 'row' },
        h('a', { href: processHash(onboarding.onboarding_id) }, 'Open the onboarding'),
        h('button', { type: 'button', onclick: () => void this.showForm() }, 'Invite another'),
        h('button', { type: 'button', class: 'link', onclick: () => void this.setOpen(false) }, 'Close'),
      ),
    );
  }
}

/** An existing client by id, or a new one from the `client.*` fields. */
function bodyOf(values: FormValues): InviteBody {
  const text = (name: string) => (values[name] === undefined ? undefined : String(values[name]));
  if (values.client_id) return { client_id: String(values.client_id) };
  return {
    client: {
      name: text('client.name')!,
      email: text('client.email')!,
      client_type: text('client.client_type') as (typeof CLIENT_TYPES)[number],
      jurisdiction: text('client.jurisdiction'),
    },
    advisor_id: text('advisor_id'),
  };
}
