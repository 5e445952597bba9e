import anyAscii from 'any-ascii';
import { distance } from 'fastest-levenshtein';

/**
 * Fuzzy name matching for screening: names are transliterated to ASCII (any-ascii: Мухаммад → Mukhammad,
 * Müller → Muller), lower-cased and split into words, so script, accents, punctuation and word order do not
 * matter; the words are then compared by edit distance (fastest-levenshtein). A name that holds every word
 * of a shorter listed name (at least two words), or the reverse, matches on those words alone, so a middle
 * name or a dropped "al-" does not hide a listed person.
 */

export function nameTokens(name: string): string[] {
  return anyAscii(name)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
}

/** 0..100: how alike two strings are, by edit distance over the longer length. */
function ratio(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 100 : Math.round((100 * (longest - distance(a, b))) / longest);
}

const sorted = (tokens: string[]) => [...tokens].sort().join(' ');

/** The words of `short` that have a close word in `long`, each used once: its best match when alike enough. */
function coveredBy(short: string[], long: string[]): string[] | null {
  const left = [...long];
  const pairs: string[] = [];
  for (const word of short) {
    let best = -1;
    let bestScore = 0;
    left.forEach((candidate, i) => {
      const score = ratio(word, candidate);
      if (score > bestScore) [best, bestScore] = [i, score];
    });
    if (best < 0 || bestScore < 75) return null;
    pairs.push(left.splice(best, 1)[0]);
  }
  return pairs;
}

/** How alike two names are, 0..100, whatever their script or word order. */
export function nameSimilarity(a: string, b: string): number {
  const ta = nameTokens(a);
  const tb = nameTokens(b);
  if (!ta.length || !tb.length) return 0;
  const whole = ratio(sorted(ta), sorted(tb));
  const [short, long] = ta.length <= tb.length ? [ta, tb] : [tb, ta];
  if (short.length < 2) return whole;
  const covered = coveredBy(short, long);
  return covered ? Math.max(whole, ratio(sorted(short), sorted(covered))) : whole;
}
