import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nameSimilarity } from '../../workers/screening/name-matching.js';
import { parseScreeningFile } from '../../workers/screening/screening-import.js';
import { kycStanding } from '../../workflows/client-onboarding/kyc-standing.js';
import type { OnboardingInput, Profile } from '../../workflows/client-onboarding/definitions.js';
import { rateRisk } from '../../workflows/client-onboarding/risk-rating.js';
import {
  applyCommand,
  checkClearance,
  expired,
  kycExpiry,
  newOnboardingRecord,
  screened,
} from '../../workflows/client-onboarding/rules.js';
import { clientOnboardingSpec } from '../../workflows/client-onboarding/spec.js';
import { reachableBy } from '../../workflows/process-spec.js';
import type { Actor } from '../../workflows/process-records.js';
import { PROFILE } from '../support/onboarding.js';

const profile = PROFILE as Profile;
const officer = (id: string): Actor => ({ user_id: id, role: 'compliance_officer', name: id, channel: 'api' });
const input: OnboardingInput = {
  onboarding_id: 'onb_1',
  client: {
    id: 'cli_1',
    name: 'Ivan Petrov',
    advisor_id: 'usr_adv',
    user_id: 'usr_cli',
    client_type: 'individual',
    politically_exposed: false,
  },
  invited_by: { user_id: 'usr_adv', role: 'advisor', name: 'Adv', channel: 'api' },
  kyc_review_years: { high: 1, medium: 2, low: 3 },
  expires_after_days: 30,
};
const NOW = '2026-12-01T10:00:00.000Z';

describe('risk rating', () => {
  const rate = (change: Partial<Profile>, politically_exposed = false) =>
    rateRisk({ profile: { ...profile, ...change }, politically_exposed, confirmed_hit: false });

  it('is low with no factor, and shows every factor with its points', () => {
    const risk = rate({});
    expect(risk).toMatchObject({ rating: 'low', score: 0 });
    expect(risk.factors.map((f) => [f.factor, f.points])).toEqual([
      ['jurisdiction', 0],
      ['pep', 0],
      ['source_of_wealth', 0],
      ['expected_activity', 0],
    ]);
  });

  it('adds points for source of wealth and activity: 1–2 medium, 3 or more high', () => {
    expect(rate({ source_of_wealth: { source: 'inheritance', net_worth_band: '1m_5m' } }).rating).toBe('medium');
    const busy = { annual_deposits_band: 'over_1m', transactions_per_month: 40, cross_border: true } as const;
    expect(rate({ expected_activity: busy })).toMatchObject({ rating: 'high', score: 3 });
  });

  it('is high on a decisive factor alone: a high-risk jurisdiction, or a politically exposed person', () => {
    const tax = [{ country: 'IR', tax_id: 'x1' }];
    const iran = rate({ tax_residence: tax });
    expect(iran.rating).toBe('high');
    expect(iran.factors[0]).toMatchObject({ factor: 'jurisdiction', value: 'IR', decisive: true });
    expect(rate({ tax_residence: [{ country: 'NG', tax_id: 'x' }] })).toMatchObject({ rating: 'medium', score: 2 });
    expect(rate({}, true)).toMatchObject({ rating: 'high', score: 3 });
  });
});

describe('name matching', () => {
  it('matches across scripts, accents, punctuation and word order', () => {
    expect(nameSimilarity('Муаммар Каддафи', 'GADDAFI, Muammar')).toBeGreaterThanOrEqual(85);
    expect(nameSimilarity('Jean Luc Moreau', 'Jean-Luc Moreau')).toBe(100);
    expect(nameSimilarity('Maria López García', 'Maria Lopez Garcia')).toBe(100);
    expect(nameSimilarity('Olena Kovalenko', 'Олена Коваленко')).toBeGreaterThanOrEqual(85);
  });

  it('finds a listed person whose listed name has words the client name lacks, and not unrelated names', () => {
    expect(nameSimilarity('Ivan Petrov', 'PETROV, Ivan Sergeyevich')).toBe(100);
    expect(nameSimilarity('Chris Carter', 'PETROV, Ivan Sergeyevich')).toBeLessThan(50);
    // One shared word is not a match: a first name alone says nothing.
    expect(nameSimilarity('Ivan', 'PETROV, Ivan Sergeyevich')).toBeLessThan(85);
    expect(nameSimilarity('Ivan Novak', 'NOVAK, Viktor')).toBeLessThan(85);
  });
});

describe('screening list files', () => {
  it('reads the SDN layout and the PEP layout of the example files', () => {
    const sdn = parseScreeningFile(readFileSync('examples/screening-sdn.csv', 'utf8'));
    expect(sdn).toMatchObject({ list: 'sanctions' });
    expect('entries' in sdn && sdn.entries[1]).toEqual({
      entry_id: '7157',
      name: 'GADDAFI, Muammar',
      entry_type: 'individual',
      program: 'LIBYA2',
      alias_type: null,
      line: 2,
    });
    expect('entries' in sdn && sdn.entries[0].entry_type).toBeNull();
    const pep = parseScreeningFile(readFileSync('examples/screening-pep.csv', 'utf8'));
    expect(pep).toMatchObject({ list: 'pep' });
    expect('entries' in pep && pep.entries.map((e) => e.entry_id)).toEqual([
      'pep_0001',
      'pep_0002',
      'pep_0003',
      'pep_0004',
    ]);
  });

  it('names the line of each problem, and keeps no entry of a file that has one', () => {
    const bad = parseScreeningFile(
      'id,name,country,position\npep_1,Ann Smith,GB,MP\npep_2,,FR,Mayor\npep_1,Bob Jones,Germany,MP\n"pep_4,Open,DE,MP\n',
    );
    expect(bad).toEqual({ problems: [expect.objectContaining({ line: 5 })] });
    const lines = parseScreeningFile(
      'id,name,country,position\npep_1,Ann Smith,GB,MP\npep_2,,FR,Mayor\npep_1,B,DEU,MP\n',
    );
    expect(lines).toEqual({
      problems: [
        { line: 3, message: 'name is empty' },
        { line: 4, message: 'country "DEU" is not a two-letter ISO code' },
      ],
    });
    expect(parseScreeningFile('12,"X",-0-\n')).toEqual({
      problems: [{ line: 1, message: 'expected the 12 columns of the SDN layout, found 3' }],
    });
  });

  it('reads the alternate names layout of the SDN list (ALT.CSV), naming each bad line', () => {
    const alt = parseScreeningFile(readFileSync('test/fixtures/screening/alt.csv', 'utf8'));
    expect(alt).toMatchObject({ layout: 'alt', list: 'sanctions' });
    // As the Treasury publishes it: CRLF lines and a closing Ctrl-Z.
    const published = parseScreeningFile(`${readFileSync('test/fixtures/screening/alt.csv', 'utf8')}\x1A`);
    expect('entries' in published && published.entries).toHaveLength(3);
    expect('entries' in alt && alt.entries[1]).toEqual({
      entry_id: '17310',
      name: 'KOZLOV, Dima',
      entry_type: null,
      program: null,
      alias_type: 'aka',
      line: 2,
    });
    expect(
      parseScreeningFile(
        '36,12,"aka","AERO",-0-\n36,x1,"aka","AERO 2",-0-\n36,12,"aka","AERO 3",-0-\n37,13,aka,-0- ,-0-\n',
      ),
    ).toEqual({
      problems: [
        { line: 2, message: 'alt_num "x1" is not a number' },
        { line: 3, message: 'alt_num 12 is on line 1 already' },
        { line: 4, message: 'alt_name is empty' },
      ],
    });
  });
});

describe('onboarding rules', () => {
  const inScreening = () => {
    const record = { ...newOnboardingRecord(input, NOW), status: 'screening' as const, profile };
    const match = {
      list: 'sanctions' as const,
      entry_id: '9',
      listed_name: 'PETROV, Ivan',
      matched_name: 'Ivan Petrov',
    };
    return screened(
      record,
      { lists_as_of: NOW, names: ['Ivan Petrov'], matches: [{ ...match, score: 100, program: null }] },
      officer('system'),
      NOW,
    ).record;
  };

  it('keeps a hit open after one clearance and moves to review with its risk after a second officer', () => {
    const record = inScreening();
    expect(record.status).toBe('screening');
    const once = applyCommand(
      record,
      'clear_screening_hit',
      { hit_id: 'hit_1', reason: 'dob' },
      officer('a'),
      NOW,
    ).record;
    expect(once.status).toBe('screening');
    expect(checkClearance(once, { hit_id: 'hit_1', reason: 'again' }, officer('a'))?.code).toBe(
      'SECOND_OFFICER_REQUIRED',
    );
    expect(checkClearance(once, { hit_id: 'hit_1', reason: 'other' }, officer('b'))).toBeNull();
    const twice = applyCommand(
      once,
      'clear_screening_hit',
      { hit_id: 'hit_1', reason: 'id' },
      officer('b'),
      NOW,
    ).record;
    expect(twice).toMatchObject({ status: 'compliance_review', risk: { rating: 'low' }, approvals_required: 1 });
  });

  it('makes a true match with enhanced due diligence high risk, needing two approvals', () => {
    const decided = applyCommand(
      inScreening(),
      'confirm_screening_hit',
      { hit_id: 'hit_1', outcome: 'enhanced_due_diligence', reason: 'same person, legitimate business' },
      officer('a'),
      NOW,
    ).record;
    expect(decided).toMatchObject({ status: 'compliance_review', edd_required: true, approvals_required: 2 });
    expect(decided.risk?.rating).toBe('high');
  });

  it('sets the periodic review 1, 2 or 3 years out by risk, and expires only the client’s part', () => {
    const record = newOnboardingRecord(input, NOW);
    for (const [rating, year] of [
      ['high', 2027],
      ['medium', 2028],
      ['low', 2029],
    ] as const)
      expect(kycExpiry({ ...record, risk: { rating, score: 0, factors: [] } }, input, NOW)).toBe(
        `${year}-12-01T10:00:00.000Z`,
      );
    expect(record.expires_at).toBe('2026-12-31T10:00:00.000Z');
    expect(expired(record, officer('system'), NOW).record.status).toBe('expired');
    expect(reachableBy(clientOnboardingSpec, 'documents', 'expired', 'system')).toBe(true);
    expect(reachableBy(clientOnboardingSpec, 'compliance_review', 'expired', 'system')).toBe(false);
  });
});

describe('where a client’s KYC stands', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  const complete = (kyc_expires_at: string | null) => kycStanding({ kyc_status: 'complete', kyc_expires_at }, now, 60);
  it('is complete until the notice window, due within it, and expired past the review date', () => {
    expect(complete(null)).toBe('complete');
    expect(complete('2026-09-01T00:00:00Z')).toBe('complete');
    expect(complete('2026-07-01T00:00:00Z')).toBe('review_due');
    expect(complete('2026-06-01T12:00:00Z')).toBe('expired');
    expect(kycStanding({ kyc_status: 'pending', kyc_expires_at: null }, now, 60)).toBe('pending');
    expect(kycStanding({ kyc_status: 'incomplete', kyc_expires_at: '2030-01-01T00:00:00Z' }, now, 60)).toBe(
      'incomplete',
    );
  });
});
