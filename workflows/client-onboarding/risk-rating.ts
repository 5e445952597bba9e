import type { Profile, RiskAssessment, RiskFactor } from './definitions.js';
import type { RiskRating, SourceOfWealth } from './spec.js';

/**
 * The client's risk rating from four factors, each shown with its points: where they live and pay tax,
 * whether they are politically exposed, where their wealth comes from and how much money they expect to
 * move. A decisive factor (a high-risk jurisdiction, a PEP) makes the client high risk on its own;
 * otherwise 3 points or more are high, 1 or 2 medium, 0 low.
 */

/** Jurisdictions under a call for action: high risk whatever else is true. */
export const HIGH_RISK_JURISDICTIONS: readonly string[] = ['KP', 'IR', 'MM'];
/** Jurisdictions under increased monitoring: 2 points. */
export const MONITORED_JURISDICTIONS: readonly string[] = [
  'BG',
  'BF',
  'CM',
  'CD',
  'HT',
  'KE',
  'ML',
  'MZ',
  'NG',
  'SS',
  'SY',
  'VE',
  'VN',
  'YE',
];

const WEALTH_POINTS: Record<SourceOfWealth, number> = {
  employment_income: 0,
  pension: 0,
  investments: 0,
  property: 0,
  business_ownership: 1,
  inheritance: 1,
  gift: 1,
  other: 2,
};

const ACTIVITY_POINTS: Record<Profile['expected_activity']['annual_deposits_band'], number> = {
  under_50k: 0,
  '50k_250k': 0,
  '250k_1m': 1,
  over_1m: 2,
};

export interface RiskInputs {
  profile: Pick<Profile, 'identity' | 'contact' | 'tax_residence' | 'source_of_wealth' | 'expected_activity'>;
  /** Known exposed: declared, flagged on the client, or a PEP-list hit confirmed. */
  politically_exposed: boolean;
  /** A screening hit confirmed with enhanced due diligence as its outcome. */
  confirmed_hit: boolean;
}

function jurisdictionFactor(profile: RiskInputs['profile']): RiskFactor {
  const countries = [
    ...new Set([
      profile.identity.nationality_or_incorporation_country,
      profile.contact.address.country,
      ...profile.tax_residence.map((t) => t.country),
    ]),
  ];
  const high = countries.filter((c) => HIGH_RISK_JURISDICTIONS.includes(c));
  const monitored = countries.filter((c) => MONITORED_JURISDICTIONS.includes(c));
  if (high.length)
    return {
      factor: 'jurisdiction',
      value: high.join(', '),
      points: 3,
      decisive: true,
      note: 'high-risk jurisdiction',
    };
  if (monitored.length)
    return {
      factor: 'jurisdiction',
      value: monitored.join(', '),
      points: 2,
      decisive: false,
      note: 'jurisdiction under increased monitoring',
    };
  return {
    factor: 'jurisdiction',
    value: countries.join(', '),
    points: 0,
    decisive: false,
    note: 'no listed jurisdiction',
  };
}

export function rateRisk(inputs: RiskInputs): RiskAssessment {
  const { profile } = inputs;
  const activity = profile.expected_activity;
  const activityPoints = ACTIVITY_POINTS[activity.annual_deposits_band] + (activity.cross_border ? 1 : 0);
  const factors: RiskFactor[] = [
    jurisdictionFactor(profile),
    inputs.politically_exposed || inputs.confirmed_hit
      ? {
          factor: 'pep',
          value: inputs.politically_exposed ? 'politically exposed' : 'confirmed screening hit',
          points: 3,
          decisive: true,
          note: 'enhanced due diligence required',
        }
      : { factor: 'pep', value: 'not exposed', points: 0, decisive: false, note: 'no exposure known' },
    {
      factor: 'source_of_wealth',
      value: profile.source_of_wealth.source,
      points: WEALTH_POINTS[profile.source_of_wealth.source],
      decisive: false,
      note: WEALTH_POINTS[profile.source_of_wealth.source] ? 'harder to evidence' : 'readily evidenced',
    },
    {
      factor: 'expected_activity',
      value: `${activity.annual_deposits_band}${activity.cross_border ? ', cross-border' : ''}`,
      points: activityPoints,
      decisive: false,
      note: activityPoints ? 'large or cross-border flows' : 'ordinary flows',
    },
  ];
  const score = factors.reduce((sum, f) => sum + f.points, 0);
  const rating: RiskRating = factors.some((f) => f.decisive) || score >= 3 ? 'high' : score >= 1 ? 'medium' : 'low';
  return { rating, score, factors };
}
