import {
  ACCOUNT_TYPES,
  CURRENCIES,
  FUNDING_METHODS,
  INVESTMENT_HORIZONS,
  INVESTMENT_OBJECTIVES,
  SOURCES_OF_FUNDS,
} from '../../workflows/account-opening/spec.js';
import { adminForm, asBody, type FieldSpec, type FormValues } from './admin-forms.js';
import { ApiError, answerOf, hub } from './api.js';
import type { Schema } from './api-types.js';
import { h, replaceChildren } from './dom.js';
import { formatMoney, humanize } from './format.js';
import { kycNote } from './kyc-note.js';
import { processHash } from './router.js';

const options = (values: readonly string[]) => values.map((v) => [v, humanize(v)] as [string, string]);

/** The advisor's (or client's) side of an account application: start it, then one form per step, each the API's command. */
export class ApplicationForm {
  readonly element = h('section', { class: 'application-form', 'aria-label': 'Account application' });

  async show(applicationId: string | null): Promise<void> {
    try {
      if (!applicationId) return await this.start();
      const application = await answerOf(
        hub.GET('/api/applications/{id}', { params: { path: { id: applicationId } } }),
      );
      await this.step(application);
    } catch (error) {
      replaceChildren(
        this.element,
        h(
          'p',
          { class: 'error', role: 'alert' },
          error instanceof ApiError ? error.message : 'Could not load the application',
        ),
      );
    }
  }

  private page(title: string, ...children: (Node | string | null)[]) {
    replaceChildren(
      this.element,
      h('h1', { class: 'page-title' }, title),
      h('div', { class: 'admin-body' }, ...children),
    );
    this.element.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
  }

  private async start() {
    const { clients } = await answerOf(hub.GET('/api/clients'));
    this.page(
      'New account application',
      adminForm({
        name: 'start-application',
        submitLabel: 'Start application',
        fields: [
          {
            name: 'client_id',
            label: 'Client',
            type: 'select',
            required: true,
            // A client whose KYC is not current is marked: the application would be refused (ONBOARDING_INCOMPLETE).
            options: clients.map((c) => [c.id, [c.name, kycNote(c)].filter(Boolean).join(' · ')] as [string, string]),
          },
          {
            name: 'account_type',
            label: 'Account type',
            type: 'select',
            required: true,
            options: options(ACCOUNT_TYPES),
          },
        ],
        submit: async (values) => {
          const created = await answerOf(hub.POST('/api/applications', { body: asBody(values) }));
          location.hash = `#/apply/${encodeURIComponent(created.application_id)}`;
          return 'Started';
        },
      }),
    );
  }

  /** The form for the state the application is in; the API decides what is allowed and says why not. */
  private async step(application: Schema<'Application'>) {
    const id = application.application_id;
    const params = { path: { id } };
    const send = (command: (values: FormValues) => Promise<unknown>) => async (values: FormValues) => {
      await command(values);
      await this.show(id);
    };
    const title = `${application.client_name ?? application.client_id}: ${application.progress?.label ?? humanize(application.status)}`;
    const open = h('p', {}, h('a', { href: processHash(id) }, 'Open on the board'));
    switch (application.status) {
      case 'draft':
      case 'product_selection': {
        const { products } = await answerOf(
          hub.GET('/api/clients/{id}/products', { params: { path: { id: application.client_id } } }),
        );
        const fields: FieldSpec[] = products.map((p) => ({
          name: p.id,
          type: 'checkbox',
          label: `${p.name} — ${humanize(p.risk_level)}, ${humanize(p.liquidity)}, minimum ${formatMoney(p.minimum_investment, p.currency ?? 'USD')}, fee ${p.management_fee_percent}%`,
        }));
        const chosen = (values: FormValues) => ({
          selected_products: Object.keys(values).filter((key) => values[key] === true),
        });
        return this.page(
          title,
          adminForm({
            name: 'select-products',
            submitLabel: 'Select products',
            fields,
            submit: send((values) =>
              answerOf(hub.POST('/api/applications/{id}/products', { params, body: chosen(values) })),
            ),
          }),
          open,
        );
      }
      case 'risk_assessment':
        return this.page(
          title,
          adminForm({
            name: 'risk-assessment',
            submitLabel: 'Complete risk assessment',
            fields: [
              { name: 'risk_score', label: 'Risk score (0–100)', type: 'number', required: true },
              {
                name: 'investment_objective',
                label: 'Investment objective',
                type: 'select',
                required: true,
                options: options(INVESTMENT_OBJECTIVES),
              },
              {
                name: 'investment_horizon',
                label: 'Investment horizon',
                type: 'select',
                required: true,
                options: options(INVESTMENT_HORIZONS),
              },
            ],
            submit: send((values) =>
              answerOf(hub.POST('/api/applications/{id}/risk-assessment', { params, body: asBody(values) })),
            ),
          }),
          open,
        );
      case 'terms_review':
        return this.page(
          title,
          adminForm({
            name: 'accept-terms',
            submitLabel: 'Accept terms',
            fields: [
              { name: 'terms_accepted', label: 'The client accepts the terms and conditions', type: 'checkbox' },
            ],
            submit: send((values) =>
              answerOf(hub.POST('/api/applications/{id}/terms', { params, body: asBody(values) })),
            ),
          }),
          open,
        );
      case 'funding':
        return this.page(
          title,
          adminForm({
            name: 'funding',
            submitLabel: 'Submit for compliance review',
            fields: [
              {
                name: 'funding_method',
                label: 'Funding method',
                type: 'select',
                required: true,
                options: options(FUNDING_METHODS),
              },
              {
                name: 'initial_investment_amount',
                label: 'Initial investment',
                type: 'number',
                required: true,
                step: '0.01',
              },
              { name: 'currency', label: 'Currency', type: 'select', required: true, options: CURRENCIES },
              {
                name: 'source_of_funds',
                label: 'Source of funds',
                type: 'select',
                required: true,
                options: options(SOURCES_OF_FUNDS),
              },
              { name: 'source_of_funds_detail', label: 'Source of funds details', type: 'textarea' },
            ],
            submit: send((values) =>
              answerOf(hub.POST('/api/applications/{id}/funding', { params, body: asBody(values) })),
            ),
          }),
          open,
        );
      default:
        return this.page(
          title,
          h(
            'p',
            { role: 'status', class: 'application-status' },
            `The application is ${humanize(application.status)}.`,
          ),
          open,
        );
    }
  }
}
