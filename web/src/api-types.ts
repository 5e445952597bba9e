import type { components, paths } from './api-schema.js';

/** A record as the hub's OpenAPI document names it (`Schema<'Office'>`), so a server rename fails the board. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];

type OkJson<Responses> = Responses extends { 200: { content: { 'application/json': infer T } } }
  ? T
  : Responses extends { 201: { content: { 'application/json': infer T } } }
    ? T
    : never;

/** What an endpoint answers when it succeeds (`Answer<'/api/hierarchy', 'get'>`), for answers without a name. */
export type Answer<Path extends keyof paths, Method extends keyof paths[Path]> = paths[Path][Method] extends {
  responses: infer Responses;
}
  ? OkJson<Responses>
  : never;

/** A process type as the hub describes it: its stages, commands, links and presentation. */
export type ProcessTypeDescriptor = Schema<'ProcessType'>;

/** The JSON body an endpoint takes (`Body<'/api/notifications/preferences', 'patch'>`). */
export type Body<Path extends keyof paths, Method extends keyof paths[Path]> = paths[Path][Method] extends {
  requestBody?: { content: { 'application/json': infer T } };
}
  ? T
  : never;
