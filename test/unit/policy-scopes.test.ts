import { describe, expect, it } from 'vitest';
import { mayRun, maySee, visibilityFilter, type Principal, type Scope } from '../../workflows/policy.js';
import { ROLES, type Ownership, type Role } from '../../workflows/process-spec.js';
import { PROCESS_SPECS } from '../../workflows/specs.js';

/**
 * The scope matrix, generated from every process spec: each role with every scope (the firm, the process's
 * office, another office, the process's team, another team of its office) against every read and command.
 * The expectation is computed here from the grants alone and the rule "an `any` grant covers the scope; an
 * `own` grant ignores it; administrators keep the firm".
 */
const PLACE = { office_id: 'off_london', team_id: 'team_ldn_wealth' };
const SCOPES: { name: string; scope: Scope | undefined; covers: boolean }[] = [
  { name: 'the firm', scope: undefined, covers: true },
  { name: "the process's office", scope: { office_id: 'off_london', team_id: null }, covers: true },
  { name: 'another office', scope: { office_id: 'off_new_york', team_id: null }, covers: false },
  { name: "the process's team", scope: { office_id: 'off_london', team_id: 'team_ldn_wealth' }, covers: true },
  {
    name: 'another team of its office',
    scope: { office_id: 'off_london', team_id: 'team_ldn_private' },
    covers: false,
  },
];
const RELATED = { client_user_id: 'usr_client', advisor_id: 'usr_advisor' };
const userOf = (role: Role) => (role === 'client' ? 'usr_client' : role === 'advisor' ? 'usr_advisor' : `usr_${role}`);

function expected(ownership: Ownership | undefined, role: Role, covers: boolean): boolean {
  if (ownership === 'own') return true; // the principal holds the relation in every case below
  if (ownership === 'any') return role === 'admin' || covers;
  return false;
}

for (const spec of PROCESS_SPECS) {
  describe(`${spec.processType}: scopes`, () => {
    for (const role of ROLES) {
      for (const { name, scope, covers } of SCOPES) {
        const principal: Principal = { user_id: userOf(role), role, ...(scope ? { scope } : {}) };
        it(`${role} over ${name}`, () => {
          expect(maySee(spec, principal, { ...RELATED, ...PLACE })).toBe(expected(spec.readers[role], role, covers));
          for (const [command, definition] of Object.entries(spec.commands)) {
            expect(mayRun(spec, command, principal, { ...RELATED, ...PLACE }), command).toBe(
              expected(definition.roles[role], role, covers),
            );
          }
        });
      }
      it(`${role}: a scoped principal is refused where the place is unknown, the list filter follows the scope`, () => {
        const scoped: Principal = { user_id: userOf(role), role, scope: { office_id: 'off_london', team_id: null } };
        expect(maySee(spec, scoped, RELATED)).toBe(expected(spec.readers[role], role, false));
        const filter = visibilityFilter(spec, scoped);
        if (spec.readers[role] === 'any') {
          expect(filter).toEqual(role === 'admin' ? { all: true } : { office_id: 'off_london' });
        }
      });
    }
  });
}
