import { expectOk } from './account-opening.js';
import type { TestHub } from './hub.js';

/** The firm of the hierarchy tests: two offices, two teams each. */
export interface TwoOffices {
  office: { newYork: string; london: string };
  team: { nyWealth: string; nyPrivate: string; ldnWealth: string; ldnPrivate: string };
}

/** Staff of a test's own, with the demo password. */
export async function addStaff(hub: TestHub, id: string, email: string, name: string, role: string) {
  await hub.sql`
    INSERT INTO users (id, email, name, role, password_hash)
    SELECT ${id}, ${email}, ${name}, ${role}, password_hash FROM users WHERE id = 'usr_maya_manager'`;
}

export const placeUser = async (hub: TestHub, admin: string, userId: string, body: object) =>
  expectOk(await hub.api(admin, 'PUT', `/admin/users/${userId}/place`, body));

export const placeClient = async (hub: TestHub, admin: string, clientId: string, teamId: string | null) =>
  expectOk(await hub.api(admin, 'PUT', `/admin/clients/${clientId}/team`, { team_id: teamId }));

/**
 * New York and London through the admin API, with Chris Carter a London client, Priya Patel a New York one,
 * Omar (ops) and Carla (compliance) in London, Nora (ops, added) and Colin (compliance) in New York, and Maya
 * managing London's Wealth team. London runs on `londonCalendar` when given.
 */
export async function setUpTwoOffices(hub: TestHub, admin: string, londonCalendar: string | null = null) {
  await addStaff(hub, 'usr_nora_ops', 'nora.ops@hub.example', 'Nora Ops', 'ops');
  const newOffice = async (body: object) => expectOk(await hub.api(admin, 'POST', '/admin/offices', body), 201).id;
  const office = {
    newYork: await newOffice({ name: 'New York', time_zone: 'America/New_York', calendar_id: 'us-new-york' }),
    london: await newOffice({ name: 'London', time_zone: 'Europe/London', calendar_id: londonCalendar }),
  };
  const newTeam = async (officeId: string, name: string, managerId: string | null = null) =>
    expectOk(await hub.api(admin, 'POST', '/admin/teams', { office_id: officeId, name, manager_id: managerId }), 201)
      .id as string;
  const team = {
    nyWealth: await newTeam(office.newYork, 'Wealth'),
    nyPrivate: await newTeam(office.newYork, 'Private clients'),
    ldnWealth: await newTeam(office.london, 'Wealth', 'usr_maya_manager'),
    ldnPrivate: await newTeam(office.london, 'Private clients'),
  };
  await placeClient(hub, admin, 'cli_chris_carter', team.ldnWealth);
  await placeClient(hub, admin, 'cli_priya_patel', team.nyWealth);
  await placeUser(hub, admin, 'usr_omar_ops', { office_id: office.london });
  await placeUser(hub, admin, 'usr_nora_ops', { office_id: office.newYork });
  await placeUser(hub, admin, 'usr_carla_compliance', { office_id: office.london });
  await placeUser(hub, admin, 'usr_colin_compliance', { office_id: office.newYork });
  return { office, team } satisfies TwoOffices;
}
