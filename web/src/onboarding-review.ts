import type { RealtimeUser } from '../../contracts/socket-events.js';
import { ApiError, answerOf, hub } from './api.js';
import type { components } from './api-schema.js';
import { h } from './dom.js';
import { formatTimestamp, humanize } from './format.js';

type Onboarding = components['schemas']['Onboarding'];
type Hit = NonNullable<Onboarding['screening']>['hits'][number];
type Decision = 'clear' | 'reject' | 'enhanced_due_diligence';

/** The record's keys these sections show, taken off the drawer's plain fields. */
export const ONBOARDING_SECTION_KEYS = [
  'screening',
  'risk',
  'edd_required',
  'politically_exposed',
  'approvals_required',
];

const DECISIONS: { decision: Decision; command: string; label: string; tone: string }[] = [
  { decision: 'clear', command: 'clear_screening_hit', label: 'Clear as false positive', tone: 'primary' },
  { decision: 'enhanced_due_diligence', command: 'confirm_screening_hit', label: 'Confirm: go on with EDD', tone: '' },
  { decision: 'reject', command: 'confirm_screening_hit', label: 'Confirm: reject', tone: 'danger' },
];

/** One open hit's decision form, kept across the drawer's reloads so a reason being typed survives them. */
interface DecisionForm {
  element: HTMLFormElement;
  reason: HTMLTextAreaElement;
  message: HTMLElement;
  buttons: HTMLButtonElement[];
}

/**
 * An onboarding in the drawer: the screening result (each possible match, who cleared it and whether a second
 * officer is still needed) with compliance's decisions on every open hit, and the risk rating with its factors.
 * The decisions shown are the ones the API's allowed_actions grants this person; the API refuses anything else.
 */
export class OnboardingReview {
  readonly keys = ONBOARDING_SECTION_KEYS;
  private readonly forms = new Map<string, DecisionForm>();

  constructor(private readonly drawer: { user: RealtimeUser; reload(): void }) {}

  sections(record: Record<string, unknown>): HTMLElement[] {
    const onboarding = record as unknown as Onboarding;
    return [this.screening(onboarding), riskSection(onboarding)];
  }

  private screening(onboarding: Onboarding): HTMLElement {
    const screening = onboarding.screening;
    const section = drawerSection('screening', 'Screening');
    if (!screening) return notYet(section, 'Not screened yet: the names are screened once the documents are in.');
    section.append(
      h(
        'p',
        { class: 'muted' },
        `${screening.names.join(', ')} screened ${formatTimestamp(screening.screened_at)} against the lists of `,
        screening.lists_as_of ? formatTimestamp(screening.lists_as_of) : 'no list (none imported)',
      ),
      screening.hits.length
        ? h('ol', { class: 'screening-hits' }, ...screening.hits.map((hit) => this.hit(onboarding, hit)))
        : h('p', {}, 'No possible match on any list.'),
    );
    // Forms of hits decided meanwhile (here or elsewhere) are done with.
    for (const id of this.forms.keys())
      if (!screening.hits.some((hit) => hit.hit_id === id && hit.status === 'open')) this.forms.delete(id);
    return section;
  }

  private hit(onboarding: Onboarding, hit: Hit): HTMLElement {
    const me = this.drawer.user.id;
    const facts: [string, string][] = [
      ['Listed name', hit.listed_alias ? `${hit.listed_name} (a.k.a. ${hit.listed_alias})` : hit.listed_name],
      ["Client's name", hit.matched_name],
      ['Score', `${hit.score} of 100`],
      ['List', [humanize(hit.list), hit.program].filter(Boolean).join(' · ')],
    ];
    const first = hit.clearances[0];
    return h(
      'li',
      { class: 'screening-hit', 'data-hit-id': hit.hit_id, 'data-hit-status': hit.status },
      h(
        'div',
        { class: 'hit-head' },
        h('strong', {}, hit.listed_name),
        ` ~ ${hit.matched_name} `,
        h('span', { class: `review-pill ${hit.status === 'cleared' ? 'accepted' : ''}` }, statusLabel(hit)),
      ),
      h('dl', {}, ...facts.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)])),
      hit.clearances.length > 0 &&
        h(
          'ul',
          { class: 'clearances' },
          ...hit.clearances.map((c) =>
            h('li', {}, `Cleared by ${c.name}, ${formatTimestamp(c.at)}: `, h('q', {}, c.reason)),
          ),
        ),
      hit.status === 'open' &&
        first &&
        h(
          'p',
          { class: 'four-eyes', role: 'note' },
          `${first.by === me ? 'You' : first.name} cleared it first; a second, different compliance officer must clear it too.`,
        ),
      hit.confirmation &&
        h(
          'p',
          { class: 'confirmation' },
          `Confirmed as a true match by ${hit.confirmation.name} (${humanize(hit.confirmation.outcome).toLowerCase()}), ` +
            `${formatTimestamp(hit.confirmation.at)}: `,
          h('q', {}, hit.confirmation.reason),
        ),
      hit.status === 'open' && this.decisionForm(onboarding, hit),
    );
  }

  /** The decisions allowed_actions grants on an open hit, each with the reason it needs; none for anyone else. */
  private decisionForm(onboarding: Onboarding, hit: Hit): HTMLElement | null {
    const offered = DECISIONS.filter((d) => onboarding.allowed_actions.includes(d.command));
    if (!offered.length) return null;
    const kept = this.forms.get(hit.hit_id);
    if (kept) {
      // The drawer is drawn again around the same form: give back the focus it had.
      if (kept.element.contains(document.activeElement)) {
        const focused = document.activeElement as HTMLElement;
        queueMicrotask(() => focused.focus());
      }
      return kept.element;
    }
    const reasonId = `hit-reason-${hit.hit_id}`;
    const reason = h('textarea', {
      name: 'reason',
      id: reasonId,
      rows: 2,
      maxlength: 2000,
      'aria-required': 'true',
    }) as HTMLTextAreaElement;
    const message = h('p', { class: 'form-message', role: 'alert', 'aria-live': 'polite' });
    const buttons = offered.map(
      (d) =>
        h(
          'button',
          {
            type: 'button',
            class: d.tone,
            'data-decision': d.decision,
            onclick: () => void this.decide(onboarding.onboarding_id, hit.hit_id, d.decision, form),
          },
          d.label,
        ) as HTMLButtonElement,
    );
    const element = h(
      'form',
      {
        class: 'hit-decision',
        'data-form': 'screening-decision',
        onsubmit: (event: Event) => event.preventDefault(),
      },
      h('label', { for: reasonId }, 'Reason for the decision (required)'),
      reason,
      h('div', { class: 'row' }, ...buttons),
      message,
    ) as HTMLFormElement;
    const form: DecisionForm = { element, reason, message, buttons };
    reason.addEventListener('input', () => reason.removeAttribute('aria-invalid'));
    this.forms.set(hit.hit_id, form);
    return element;
  }

  private async decide(onboardingId: string, hitId: string, decision: Decision, form: DecisionForm) {
    const reason = form.reason.value.trim();
    if (!reason) {
      form.reason.setAttribute('aria-invalid', 'true');
      form.reason.focus();
      return say(form, 'A decision needs its reason', 'error');
    }
    for (const button of form.buttons) button.disabled = true;
    say(form, 'Sending…', '');
    const path = { path: { id: onboardingId } };
    try {
      if (decision === 'clear')
        await answerOf(hub.POST('/api/onboardings/{id}/clear-hit', { params: path, body: { hit_id: hitId, reason } }));
      else
        await answerOf(
          hub.POST('/api/onboardings/{id}/confirm-hit', {
            params: path,
            body: { hit_id: hitId, outcome: decision, reason },
          }),
        );
      form.reason.value = '';
      say(form, 'Recorded', 'ok');
      this.forms.delete(hitId);
      this.drawer.reload();
    } catch (error) {
      // A refusal reads as the hub says it: the same officer twice is SECOND_OFFICER_REQUIRED, say.
      say(form, error instanceof ApiError ? `${error.message} (${error.code})` : 'The decision was not sent', 'error');
    } finally {
      for (const button of form.buttons) button.disabled = false;
    }
  }
}

function drawerSection(name: string, title: string): HTMLElement {
  return h('section', { class: `onboarding-${name}`, 'data-section': name, 'aria-label': title }, h('h3', {}, title));
}

/** A section whose step has not come yet says so. */
function notYet(section: HTMLElement, text: string): HTMLElement {
  section.append(h('p', { class: 'muted' }, text));
  return section;
}

function say(form: DecisionForm, text: string, tone: 'ok' | 'error' | '') {
  form.message.className = `form-message ${tone}`;
  form.message.textContent = text;
}

function statusLabel(hit: Hit): string {
  if (hit.status === 'cleared') return 'cleared by two officers';
  if (hit.status === 'confirmed') return 'true match';
  return hit.clearances.length ? 'open: second clearance needed' : 'open: needs a decision';
}

/** The risk rating with every factor and its points, and what it asks of compliance. */
function riskSection(onboarding: Onboarding): HTMLElement {
  const risk = onboarding.risk;
  const section = drawerSection('risk', 'Risk rating');
  if (!risk) return notYet(section, 'Rated when compliance review starts.');
  section.append(
    h(
      'p',
      { class: 'risk-summary', 'data-risk': risk.rating },
      h('strong', {}, `${humanize(risk.rating)} risk`),
      `, score ${risk.score}`,
      onboarding.edd_required ? ' · enhanced due diligence' : '',
      onboarding.politically_exposed ? ' · politically exposed' : '',
      ` · ${onboarding.approvals_required} approval${onboarding.approvals_required === 1 ? '' : 's'} needed`,
    ),
    h(
      'table',
      { class: 'risk-factors' },
      h('thead', {}, h('tr', {}, ...['Factor', 'Value', 'Points', 'Why'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        ...risk.factors.map((f) =>
          h(
            'tr',
            { 'data-factor': f.factor },
            h('td', {}, humanize(f.factor)),
            h('td', {}, f.value),
            h('td', {}, f.decisive ? 'decisive' : String(f.points)),
            h('td', {}, f.note),
          ),
        ),
      ),
    ),
  );
  return section;
}
