import { completeClientKyc, listClientsWithKycDue } from '../../db/catalog.js';
import type { Sql } from '../../db/client.js';
import { loadScreeningEntries } from '../../db/screening.js';
import { getKycReviewYears, getSetting } from '../../db/settings.js';
import type { ScreeningMatch } from '../../workflows/client-onboarding/definitions.js';
import { nameSimilarity } from '../screening/name-matching.js';

/** What an onboarding asks of the world: its names screened against the lists, and the client's KYC written. */
export function createOnboardingActivities(deps: { sql: Sql }) {
  return {
    /** Every party of every list with a name (listed or alias) at or above the firm's match threshold, best first. */
    async screenNames(input: {
      onboarding_id: string;
      names: string[];
    }): Promise<{ lists_as_of: string | null; matches: ScreeningMatch[] }> {
      const threshold = await getSetting<number>(deps.sql, 'screening_match_threshold', 85);
      const { entries, lists_as_of } = await loadScreeningEntries(deps.sql);
      // One hit per party: its listed name comes before its aliases, and a tie keeps the listed name.
      const listedNames = new Map<string, string>();
      const matches = new Map<string, ScreeningMatch>();
      for (const entry of entries) {
        const party = `${entry.list}\n${entry.entry_id}`;
        if (!entry.alias_type) listedNames.set(party, entry.name);
        for (const name of input.names) {
          const score = nameSimilarity(name, entry.name);
          if (score < threshold || score <= (matches.get(party)?.score ?? -1)) continue;
          matches.set(party, {
            list: entry.list,
            entry_id: entry.entry_id,
            listed_name: listedNames.get(party) ?? entry.name,
            listed_alias: entry.alias_type ? entry.name : null,
            matched_name: name,
            score,
            program: entry.program,
          });
        }
      }
      return { lists_as_of, matches: [...matches.values()].sort((a, b) => b.score - a.score).slice(0, 20) };
    },

    /** The periodic reviews due, with the settings a new onboarding takes. */
    async listKycReviewsDue() {
      const days = await getSetting<number>(deps.sql, 'kyc_review_notice_days', 60);
      return {
        due: await listClientsWithKycDue(deps.sql, days),
        kyc_review_years: await getKycReviewYears(deps.sql),
        expires_after_days: await getSetting<number>(deps.sql, 'onboarding_expiry_days', 30),
      };
    },

    async completeClientKyc(input: {
      client_id: string;
      onboarding_id: string;
      risk_rating: string;
      politically_exposed: boolean;
      kyc_expires_at: string;
    }): Promise<void> {
      await completeClientKyc(deps.sql, input);
    },
  };
}
