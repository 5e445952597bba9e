import { ApiError } from './api.js';
import { h, replaceChildren } from './dom.js';

/** One field of an administration form: what the API takes, with the words a person reads. */
export interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'number' | 'date' | 'select' | 'checkbox' | 'textarea';
  options?: readonly (string | [value: string, label: string])[];
  required?: boolean;
  hint?: string;
  step?: string;
  value?: string | number | boolean | null;
}

export type FormValues = Record<string, string | number | boolean | null>;

/**
 * A form's values as the body of the endpoint it posts to, unchecked on purpose: the API checks each field
 * and names the one that is wrong, and the form marks it.
 */
export const asBody = <Body>(values: FormValues): NonNullable<Body> => values as NonNullable<Body>;

/** An input per field; reading it back gives the body the API expects (numbers as numbers, blanks left out). */
function control(field: FieldSpec): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement {
  const common = {
    name: field.name,
    id: `field-${field.name}`,
    required: Boolean(field.required),
    'aria-describedby': field.hint ? `hint-${field.name}` : null,
  };
  if (field.type === 'select') {
    const select = h(
      'select',
      common,
      !field.required && h('option', { value: '' }, '—'),
      ...(field.options ?? []).map((option) => {
        const [value, label] = Array.isArray(option) ? option : [option, option];
        return h('option', { value, selected: String(field.value ?? '') === value }, label);
      }),
    );
    return select;
  }
  if (field.type === 'textarea') return h('textarea', { ...common, rows: 3 }, String(field.value ?? ''));
  const input = h('input', {
    ...common,
    type: field.type ?? 'text',
    step: field.step ?? (field.type === 'number' ? 'any' : null),
  });
  if (field.type === 'checkbox') input.checked = Boolean(field.value);
  else if (field.value !== null && field.value !== undefined) input.value = String(field.value);
  return input;
}

function readValue(
  element: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  field: FieldSpec,
): string | number | boolean | null | undefined {
  if (field.type === 'checkbox') return (element as HTMLInputElement).checked;
  const raw = element.value.trim();
  if (raw === '') return undefined;
  // An unparsable number goes as typed: the API names the field and says what it expects.
  if (field.type === 'number') return Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return raw;
}

/**
 * A labelled form that sends its values and shows the API's own error words, naming the field; keyboard
 * first: every control is native, Enter submits, the message is announced.
 */
export function adminForm(options: {
  name: string;
  fields: FieldSpec[];
  submitLabel: string;
  submit: (values: FormValues) => Promise<void | string>;
  className?: string;
}): HTMLFormElement {
  const controls = options.fields.map((field) => [field, control(field)] as const);
  const message = h('p', { class: 'form-message', role: 'alert', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'primary' }, options.submitLabel);
  const form = h(
    'form',
    {
      class: `admin-form ${options.className ?? ''}`,
      'data-form': options.name,
      // The API checks every field and says what is wrong in its own words; the browser's own bubbles would differ.
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const values: FormValues = {};
        for (const [field, element] of controls) {
          const value = readValue(element, field);
          if (value !== undefined) values[field.name] = value;
        }
        button.disabled = true;
        message.className = 'form-message';
        message.textContent = '';
        try {
          const done = await options.submit(values);
          // A saved form is often redrawn with the section: the message goes to the form that stands in its place.
          const shown = form.isConnected
            ? message
            : document.querySelector(`form[data-form="${options.name}"] .form-message`);
          if (shown) {
            shown.className = 'form-message ok';
            shown.textContent = done ?? 'Saved';
          }
        } catch (error) {
          message.className = 'form-message error';
          message.textContent = error instanceof ApiError ? error.message : 'Could not save; try again';
          const field = error instanceof ApiError ? error.field : undefined;
          const culprit = controls.find(([spec]) => spec.name === field)?.[1];
          culprit?.setAttribute('aria-invalid', 'true');
          culprit?.focus();
        } finally {
          button.disabled = false;
        }
      },
    },
    ...controls.map(([field, element]) =>
      h(
        'label',
        { class: field.type === 'checkbox' ? 'checkbox' : '', for: `field-${field.name}` },
        field.type === 'checkbox' ? element : null,
        field.label,
        field.type === 'checkbox' ? null : element,
        field.hint ? h('small', { class: 'muted', id: `hint-${field.name}` }, field.hint) : null,
      ),
    ),
    h('div', { class: 'row' }, button),
    message,
  );
  for (const [, element] of controls) element.addEventListener('input', () => element.removeAttribute('aria-invalid'));
  return form;
}

/** A plain table: a header row and a row per item, each cell text or an element. */
export function adminTable(
  name: string,
  headers: string[],
  rows: { key: string; cells: (Node | string)[] }[],
): HTMLElement {
  if (!rows.length) return h('p', { class: 'empty' }, 'Nothing here yet.');
  return h(
    'table',
    { class: 'admin-table', 'data-table': name },
    h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { scope: 'col' }, header)))),
    h(
      'tbody',
      {},
      ...rows.map((row) => h('tr', { 'data-key': row.key }, ...row.cells.map((cell) => h('td', {}, cell)))),
    ),
  );
}

/** A result worth copying (a one-time link), selectable and announced. */
export function shownOnce(target: HTMLElement, title: string, text: string, note: string): void {
  replaceChildren(
    target,
    h(
      'div',
      { class: 'shown-once', role: 'status' },
      h('strong', {}, title),
      h('input', { type: 'text', readonly: true, value: text, class: 'copy', 'aria-label': title }),
      h('small', { class: 'muted' }, note),
    ),
  );
}
