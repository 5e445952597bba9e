import {
  ACTIVITY_BANDS,
  EMPLOYMENT_STATUSES,
  INVESTMENT_EXPERIENCE,
  SOURCES_OF_WEALTH,
  WEALTH_BANDS,
} from '../../workflows/client-onboarding/spec.js';
import type { RealtimeUser } from '../../contracts/socket-events.js';
import { adminForm, asBody, type FieldSpec, type FormValues } from './admin-forms.js';
import { answerOf, ApiError, hub } from './api.js';
import type { Schema } from './api-types.js';
import { DocumentsPanel } from './documents-panel.js';
import { h, replaceChildren } from './dom.js';
import { humanize } from './format.js';
import { processHash } from './router.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the profile's sections, built up field by field
type Row = Record<string, any>;
type Onboarding = Schema<'Onboarding'>;
const options = (values: readonly string[]) => values.map((v) => [v, humanize(v)] as [string, string]);

/** The profile's fields as one form: `section.field` names, put back into the sections the API takes. */
const PROFILE_FIELDS: FieldSpec[] = [
  { name: 'identity.legal_name', label: 'Full legal name', required: true },
  {
    name: 'identity.date_of_birth_or_incorporation',
    label: 'Date of birth (or incorporation)',
    type: 'date',
    required: true,
  },
  {
    name: 'identity.nationality_or_incorporation_country',
    label: 'Nationality (two-letter country code)',
    required: true,
  },
  { name: 'identity.politically_exposed', label: 'I hold, or held, a prominent public function', type: 'checkbox' },
  { name: 'contact.email', label: 'E-mail', type: 'email', required: true },
  { name: 'contact.phone', label: 'Phone (international, e.g. +14155550100)', required: true },
  { name: 'contact.address.line1', label: 'Address', required: true },
  { name: 'contact.address.city', label: 'City', required: true },
  { name: 'contact.address.postal_code', label: 'Postal code', required: true },
  { name: 'contact.address.country', label: 'Country (two-letter code)', required: true },
  { name: 'tax.country', label: 'Tax residence (two-letter code)', required: true },
  { name: 'tax.tax_id', label: 'Tax identification number', required: true },
  {
    name: 'employment.status',
    label: 'Employment',
    type: 'select',
    required: true,
    options: options(EMPLOYMENT_STATUSES),
  },
  { name: 'employment.employer', label: 'Employer' },
  { name: 'employment.occupation', label: 'Occupation' },
  {
    name: 'source_of_wealth.source',
    label: 'Source of wealth',
    type: 'select',
    required: true,
    options: options(SOURCES_OF_WEALTH),
  },
  { name: 'source_of_wealth.detail', label: 'Source of wealth, in your words', type: 'textarea' },
  {
    name: 'source_of_wealth.net_worth_band',
    label: 'Net worth',
    type: 'select',
    required: true,
    options: options(WEALTH_BANDS),
  },
  {
    name: 'expected_activity.annual_deposits_band',
    label: 'Expected deposits a year',
    type: 'select',
    required: true,
    options: options(ACTIVITY_BANDS),
  },
  { name: 'expected_activity.transactions_per_month', label: 'Transactions a month', type: 'number', required: true },
  { name: 'expected_activity.cross_border', label: 'Money will move across borders', type: 'checkbox' },
  {
    name: 'investment_experience.level',
    label: 'Investment experience',
    type: 'select',
    required: true,
    options: options(INVESTMENT_EXPERIENCE),
  },
  { name: 'investment_experience.years', label: 'Years of investing', type: 'number', required: true },
];

/** Flat form values into the profile's sections (tax residence is a list of one here). */
export function profileOf(values: FormValues): Row {
  const profile: Row = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const path = name.split('.');
    let at = profile;
    for (const key of path.slice(0, -1)) at = at[key] ??= {};
    at[path.at(-1)!] = value;
  }
  const { tax, ...sections } = profile;
  return { ...sections, ...(tax ? { tax_residence: [tax] } : {}) };
}

/** What the saved profile fills in, for editing it again. */
function withSaved(profile: Onboarding['profile']): FieldSpec[] {
  const flat = (row: Row, prefix: string): [string, unknown][] =>
    Object.entries(row ?? {}).flatMap(([key, value]) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? flat(value, `${prefix}${key}.`)
        : [[`${prefix}${key}`, value]],
    );
  const saved = new Map(flat({ ...profile, tax: profile.tax_residence?.[0] }, ''));
  return PROFILE_FIELDS.map((f) => ({ ...f, value: (saved.get(f.name) as FieldSpec['value']) ?? f.value }));
}

/**
 * The client's (or advisor's) side of an onboarding: the profile, then the documents the client type needs,
 * each step the API's command. Compliance's part happens on the board and in Slack.
 */
export class OnboardingForm {
  readonly element = h('section', { class: 'onboarding-form', 'aria-label': 'Client onboarding' });
  private documents: DocumentsPanel | undefined;

  constructor(private readonly user: RealtimeUser) {}

  destroy(): void {
    this.documents?.destroy();
  }

  async show(onboardingId: string | null): Promise<void> {
    try {
      const id = onboardingId ?? (await this.ownOnboarding());
      if (!id) return this.page('Onboarding', h('p', { class: 'empty' }, 'There is no onboarding for you to fill in.'));
      await this.step(await answerOf(hub.GET('/api/onboardings/{id}', { params: { path: { id } } })));
    } catch (error) {
      this.page(
        'Onboarding',
        h(
          'p',
          { class: 'error', role: 'alert' },
          error instanceof ApiError ? error.message : 'Could not load the onboarding',
        ),
      );
    }
  }

  private async ownOnboarding(): Promise<string | null> {
    const { onboardings } = await answerOf(hub.GET('/api/onboardings', { params: { query: { limit: 20 } } }));
    const open = onboardings.find((o) => o.allowed_actions.length > 0) ?? onboardings[0];
    return open?.onboarding_id ?? null;
  }

  private page(title: string, ...children: (Node | string | null)[]) {
    replaceChildren(
      this.element,
      h('h1', { class: 'page-title' }, title),
      h('div', { class: 'admin-body' }, ...children),
    );
  }

  private async step(onboarding: Onboarding) {
    const id = onboarding.onboarding_id;
    const title = `${onboarding.client_name}: ${onboarding.progress?.label ?? humanize(onboarding.status)}`;
    const status = h(
      'p',
      { role: 'status', class: 'onboarding-status', 'data-status': onboarding.status },
      `Step ${onboarding.progress?.step ?? '–'} of ${onboarding.progress?.of}: ${onboarding.progress?.label}`,
    );
    const open =
      this.user.role === 'client' ? null : h('p', {}, h('a', { href: processHash(id) }, 'Open on the board'));
    const params = { path: { id } };
    const allowed: string[] = onboarding.allowed_actions;
    if (allowed.includes('submit_profile')) {
      const form = adminForm({
        name: 'onboarding-profile',
        submitLabel: 'Submit profile',
        fields: withSaved(onboarding.profile),
        submit: async (values) => {
          await answerOf(hub.POST('/api/onboardings/{id}/submit-profile', { params, body: asBody(profileOf(values)) }));
          await this.show(id);
          return 'Profile submitted';
        },
      });
      if (onboarding.status !== 'documents') return this.page(title, status, form, open);
    }
    if (onboarding.status === 'documents') {
      this.documents?.destroy();
      this.documents = new DocumentsPanel(id, this.user);
      const message = h('p', { class: 'onboarding-message', role: 'alert' });
      const submit = h(
        'button',
        {
          type: 'button',
          class: 'primary',
          'data-command': 'submit_documents',
          onclick: async () => {
            try {
              await answerOf(hub.POST('/api/onboardings/{id}/submit-documents', { params, body: {} }));
              await this.show(id);
            } catch (error) {
              message.textContent = error instanceof ApiError ? error.message : 'Could not submit the documents';
            }
          },
        },
        'Submit documents',
      );
      this.page(
        title,
        status,
        h(
          'p',
          {},
          onboarding.needs_entity_documents
            ? 'Upload the formation documents, naming the beneficial owners.'
            : 'Upload an identity document and a proof of address.',
        ),
        this.documents.element,
        submit,
        message,
        open,
      );
      await this.documents.load();
      return;
    }
    const done: Record<string, string> = {
      screening: 'Thank you: your details are being checked.',
      compliance_review: 'Thank you: compliance is reviewing your onboarding.',
      approved: `Your onboarding is complete${onboarding.kyc_expires_at ? `, until its review on ${String(onboarding.kyc_expires_at).slice(0, 10)}` : ''}.`,
    };
    this.page(
      title,
      status,
      h('p', {}, done[onboarding.status] ?? `The onboarding is ${humanize(onboarding.status)}.`),
      open,
    );
  }
}
