import { describe, expect, it } from 'vitest';
import {
  holdsRelation,
  mayRun,
  maySee,
  roleMayRun,
  visibilityFilter,
  type Principal,
  type ProcessRelations,
} from '../../workflows/policy.js';
import type { ProcessSpec } from '../../workflows/process-spec.js';

/** A small spec of its own, so these tests pin the policy's rules rather than one process's grants. */
const spec = {
  commands: {
    own_or_admin: {
      label: 'Own or admin',
      from: ['open'],
      roles: { client: 'own', advisor: 'own', admin: 'any' },
      board: false,
    },
    officers_only: { label: 'Officers', from: ['open'], roles: { compliance_officer: 'any' }, board: true },
  },
  readers: { client: 'own', advisor: 'own', compliance_officer: 'any', ops: 'any' },
} satisfies Pick<ProcessSpec, 'commands' | 'readers'>;

const relations: ProcessRelations = { client_user_id: 'usr_client', advisor_id: 'usr_advisor' };
const p = (user_id: string, role: Principal['role']): Principal => ({ user_id, role });

describe('holdsRelation', () => {
  it('a client holds a process that is theirs, an advisor one they advise on', () => {
    expect(holdsRelation(p('usr_client', 'client'), 'client', relations)).toBe(true);
    expect(holdsRelation(p('usr_other', 'client'), 'client', relations)).toBe(false);
    expect(holdsRelation(p('usr_advisor', 'advisor'), 'advisor', relations)).toBe(true);
    expect(holdsRelation(p('usr_other', 'advisor'), 'advisor', relations)).toBe(false);
  });

  it('the relation is checked for the role asked about, not for whoever has the id', () => {
    expect(holdsRelation(p('usr_advisor', 'advisor'), 'client', relations)).toBe(false);
    expect(holdsRelation(p('usr_client', 'client'), 'advisor', relations)).toBe(false);
  });

  it('a process without a client login or advisor belongs to nobody', () => {
    const orphan = { client_user_id: null, advisor_id: null };
    expect(holdsRelation(p('usr_client', 'client'), 'client', orphan)).toBe(false);
    expect(holdsRelation(p('usr_advisor', 'advisor'), 'advisor', orphan)).toBe(false);
  });

  it('other roles hold no relation', () => {
    for (const role of ['compliance_officer', 'manager', 'ops', 'admin'] as const) {
      expect(holdsRelation(p('usr_client', role), role, relations)).toBe(false);
    }
  });
});

describe('mayRun', () => {
  it('own grants need the relation, any grants do not, missing grants refuse', () => {
    expect(mayRun(spec, 'own_or_admin', p('usr_client', 'client'), relations)).toBe(true);
    expect(mayRun(spec, 'own_or_admin', p('usr_other', 'client'), relations)).toBe(false);
    expect(mayRun(spec, 'own_or_admin', p('usr_advisor', 'advisor'), relations)).toBe(true);
    expect(mayRun(spec, 'own_or_admin', p('usr_other', 'advisor'), relations)).toBe(false);
    expect(mayRun(spec, 'own_or_admin', p('usr_admin', 'admin'), relations)).toBe(true);
    expect(mayRun(spec, 'own_or_admin', p('usr_ops', 'ops'), relations)).toBe(false);
    expect(mayRun(spec, 'officers_only', p('usr_officer', 'compliance_officer'), relations)).toBe(true);
    expect(mayRun(spec, 'officers_only', p('usr_admin', 'admin'), relations)).toBe(false);
  });

  it('an unknown command is refused to everyone but the system', () => {
    expect(mayRun(spec, 'no_such_command', p('usr_admin', 'admin'), relations)).toBe(false);
    expect(mayRun(spec, 'own_or_admin', p('system', 'system'), relations)).toBe(true);
  });

  it('roleMayRun answers before any process is known', () => {
    expect(roleMayRun(spec, 'own_or_admin', 'client')).toBe(true);
    expect(roleMayRun(spec, 'own_or_admin', 'manager')).toBe(false);
    expect(roleMayRun(spec, 'officers_only', 'system')).toBe(true);
    expect(roleMayRun(spec, 'no_such_command', 'admin')).toBe(false);
  });
});

describe('maySee and visibilityFilter', () => {
  it('readers decide who sees a process', () => {
    expect(maySee(spec, p('usr_client', 'client'), relations)).toBe(true);
    expect(maySee(spec, p('usr_other', 'client'), relations)).toBe(false);
    expect(maySee(spec, p('usr_other', 'advisor'), relations)).toBe(false);
    expect(maySee(spec, p('usr_officer', 'compliance_officer'), relations)).toBe(true);
    expect(maySee(spec, p('usr_ops', 'ops'), relations)).toBe(true);
    expect(maySee(spec, p('usr_manager', 'manager'), relations)).toBe(false);
    expect(maySee(spec, p('system', 'system'), relations)).toBe(true);
  });

  it('turns readers into a filter a list query can apply', () => {
    expect(visibilityFilter(spec, p('usr_client', 'client'))).toEqual({ client_user_id: 'usr_client' });
    expect(visibilityFilter(spec, p('usr_advisor', 'advisor'))).toEqual({ advisor_id: 'usr_advisor' });
    expect(visibilityFilter(spec, p('usr_officer', 'compliance_officer'))).toEqual({ all: true });
    expect(visibilityFilter(spec, p('usr_manager', 'manager'))).toEqual({ none: true });
    expect(visibilityFilter(spec, p('system', 'system'))).toEqual({ all: true });
  });
});
