import type { components } from './api-schema.js';

/** A record as the hub's OpenAPI document names it (`Schema<'Office'>`), so a server rename fails the board. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];

/** A process type as the hub describes it: its stages, commands, links and presentation. */
export type ProcessTypeDescriptor = Schema<'ProcessType'>;
