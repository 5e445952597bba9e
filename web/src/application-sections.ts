import { h } from './dom.js';
import { formatAmount, formatTimestamp, humanize } from './format.js';

type Record_ = Record<string, unknown>;

/** How one field reads: a label in words and a way to write its value. */
interface Field {
  key: string;
  label: string;
  show?: 'money' | 'person' | 'copy' | 'time' | 'percent' | 'words';
}

/** The blueprint's groups of an application's fields, in its order, labelled as a compliance officer reads them. */
const GROUPS: { title: string; fields: Field[] }[] = [
  {
    title: 'Client',
    fields: [
      { key: 'client_name', label: 'Client' },
      { key: 'account_type', label: 'Account type', show: 'words' },
      { key: 'politically_exposed', label: 'Politically exposed person' },
      { key: 'advisor_id', label: 'Advisor', show: 'person' },
      { key: 'opened_by', label: 'Opened by', show: 'person' },
      { key: 'created_at', label: 'Opened', show: 'time' },
    ],
  },
  { title: 'Products', fields: [{ key: 'selected_products', label: 'Selected investment products' }] },
  {
    title: 'Risk',
    fields: [
      { key: 'risk_profile', label: 'Risk profile', show: 'words' },
      { key: 'risk_score', label: 'Risk assessment score' },
      { key: 'investment_objective', label: 'Investment objective', show: 'words' },
      { key: 'investment_horizon', label: 'Investment horizon', show: 'words' },
    ],
  },
  {
    title: 'Terms',
    fields: [
      { key: 'terms_accepted', label: 'Terms and conditions accepted' },
      { key: 'terms_accepted_at', label: 'Terms accepted at', show: 'time' },
      { key: 'mandate_document_id', label: 'Signed mandate document', show: 'copy' },
    ],
  },
  {
    title: 'Funding',
    fields: [
      { key: 'initial_investment_amount', label: 'Initial investment amount', show: 'money' },
      { key: 'source_of_funds', label: 'Source of funds', show: 'words' },
      { key: 'source_of_funds_detail', label: 'Source of funds details' },
      { key: 'funding_method', label: 'Funding method', show: 'words' },
      { key: 'funding_reference', label: 'Funding reference number', show: 'copy' },
    ],
  },
  {
    title: 'Compliance',
    fields: [
      { key: 'assigned_officer_id', label: 'Compliance officer', show: 'person' },
      { key: 'edd_required', label: 'Enhanced due diligence' },
      { key: 'approvals_required', label: 'Approvals required' },
      { key: 'decided_by', label: 'Decided by', show: 'person' },
      { key: 'decided_at', label: 'Decided at', show: 'time' },
      { key: 'rejection_reason', label: 'Rejection reason' },
      { key: 'account_number', label: 'Account number', show: 'copy' },
      { key: 'crm_failure', label: 'Account creation in the CRM' },
    ],
  },
];

/** The record's keys the groups show, or that other sections (warnings, approvals, notes) do. */
export const APPLICATION_SECTION_KEYS = [
  ...GROUPS.flatMap((g) => g.fields.map((f) => f.key)),
  'application_id',
  'client_id',
  'client_user_id',
  'status',
  'status_entered_at',
  'updated_at',
  'compliance_notes',
  'currency',
];

const none = () => h('span', { class: 'muted' }, '—');

function valueOf(field: Field, record: Record_, people: Record<string, string>): Node | string {
  const value = record[field.key];
  if (value === null || value === undefined || value === '') return none();
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (field.key === 'selected_products' && Array.isArray(value)) return productsTable(value as Record_[]);
  if (field.key === 'crm_failure' && typeof value === 'object')
    return `Failed after ${String((value as Record_).attempts)} attempts: ${String((value as Record_).message)}`;
  switch (field.show) {
    case 'money':
      return typeof record.currency === 'string' ? formatAmount(Number(value), record.currency) : String(value);
    case 'person':
      return people[String(value)] ?? String(value);
    case 'copy':
      return h('code', { class: 'copyable' }, String(value));
    case 'time':
      return formatTimestamp(String(value));
    case 'words':
      return humanize(String(value));
    default:
      return String(value);
  }
}

function productsTable(products: Record_[]): HTMLElement {
  if (!products.length) return h('span', { class: 'muted' }, 'None selected');
  return h(
    'table',
    { class: 'products' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Product'), h('th', { scope: 'col' }, 'Allocation'))),
    h(
      'tbody',
      {},
      ...products.map((p) =>
        h(
          'tr',
          {},
          h('td', {}, String(p.product_name ?? p.product_id)),
          h('td', {}, `${String(p.allocation_percent)}%`),
        ),
      ),
    ),
  );
}

/** An application's record, grouped as the blueprint groups its fields. */
export function applicationSections(record: Record_, people: Record<string, string>): HTMLElement[] {
  return GROUPS.map((group) =>
    h(
      'section',
      { class: 'field-group', 'data-group': group.title.toLowerCase() },
      h('h3', {}, group.title),
      h(
        'dl',
        {},
        ...group.fields.flatMap((field) => [h('dt', {}, field.label), h('dd', {}, valueOf(field, record, people))]),
      ),
    ),
  );
}
