import { describe, expect, it } from 'vitest';
import { GRANTS } from '../../workflows/grants.js';
import { mayManageSettings, mayRun, maySee, roleMayRun } from '../../workflows/policy.js';
import { mayCloseQuery } from '../../workflows/query-threads.js';
import type { Role } from '../../workflows/process-spec.js';

const person = (role: Role, user_id = `usr_${role}`) => ({ user_id, role });
const FIRM_WIDE = { client_user_id: null, advisor_id: null };

describe('grants beside the process specs, read through the one policy', () => {
  it('settings: staff read them, only administrators change them', () => {
    expect(mayManageSettings(person('ops'), 'read')).toBe(true);
    expect(mayManageSettings(person('ops'), 'write')).toBe(false);
    expect(mayManageSettings(person('advisor'), 'read')).toBe(false);
    expect(mayManageSettings(person('admin'), 'write')).toBe(true);
  });

  it('compliance notes: the advisor on the application reads them, a client never; compliance writes', () => {
    const relations = { client_user_id: 'usr_chris', advisor_id: 'usr_alex' };
    expect(maySee(GRANTS.compliance_notes, person('advisor', 'usr_alex'), relations)).toBe(true);
    expect(maySee(GRANTS.compliance_notes, person('advisor', 'usr_beth'), relations)).toBe(false);
    expect(maySee(GRANTS.compliance_notes, person('client', 'usr_chris'), relations)).toBe(false);
    expect(mayRun(GRANTS.compliance_notes, 'edit_compliance_notes', person('compliance_officer'), relations)).toBe(
      true,
    );
    expect(mayRun(GRANTS.compliance_notes, 'edit_compliance_notes', person('advisor', 'usr_alex'), relations)).toBe(
      false,
    );
  });

  it('queries are settled by whoever asked, compliance officers and administrators', () => {
    const query = { created_by: 'usr_carla' };
    expect(mayCloseQuery({ id: 'usr_carla', role: 'advisor' }, query)).toBe(true);
    expect(mayCloseQuery({ id: 'usr_colin', role: 'compliance_officer' }, query)).toBe(true);
    expect(mayCloseQuery({ id: 'usr_alex', role: 'advisor' }, query)).toBe(false);
  });

  it('administration, the trail and Slack links', () => {
    expect(roleMayRun(GRANTS.administration, 'manage_users', 'admin')).toBe(true);
    expect(roleMayRun(GRANTS.administration, 'manage_users', 'manager')).toBe(false);
    expect(maySee(GRANTS.audit, person('compliance_officer'), FIRM_WIDE)).toBe(true);
    expect(maySee(GRANTS.audit, person('ops'), FIRM_WIDE)).toBe(false);
    expect(roleMayRun(GRANTS.slack_admin, 'manage_slack_users', 'admin')).toBe(true);
    expect(roleMayRun(GRANTS.slack_admin, 'manage_slack_users', 'compliance_officer')).toBe(false);
  });
});
