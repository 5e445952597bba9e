/**
 * Turning a textarea's edits into Y.Text operations, and keeping a caret in place when others' edits
 * arrive. Pure: no DOM, no Yjs, unit-tested.
 */

/** One contiguous edit: at `index`, delete `remove` characters and insert `insert`. */
export interface TextEdit {
  index: number;
  remove: number;
  insert: string;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The smallest single edit that turns `before` into `after`: the common prefix and suffix stay, the
 * middle is replaced. A textarea changes one range per input event, so this is that range, and
 * concurrent edits elsewhere in the text merge untouched.
 *
 * `caret` (the selection end after the edit) settles ambiguous cases: typing "a" into "aa" at 1 is an
 * insert at 1, not at 2, so a concurrent edit between the two lands where its author meant it.
 * The edit never splits a surrogate pair (an emoji stays whole).
 */
export function diffText(before: string, after: string, caret?: number): TextEdit | null {
  if (before === after) return null;
  const shorter = Math.min(before.length, after.length);
  let suffix = 0;
  // With a caret, the edit ends at it: the suffix may not reach before the caret.
  const suffixLimit = caret === undefined ? shorter : Math.max(0, Math.min(shorter, after.length - caret));
  let prefix = 0;
  if (caret === undefined) {
    while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
    while (
      suffix < shorter - prefix &&
      before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
    )
      suffix++;
  } else {
    while (
      suffix < suffixLimit &&
      before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
    )
      suffix++;
    while (prefix < shorter - suffix && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  }
  // Keep surrogate pairs whole: a boundary right after a high surrogate (or before a low one) splits a pair.
  if (prefix > 0 && isHighSurrogate(before.charCodeAt(prefix - 1))) prefix--;
  if (suffix > 0 && isLowSurrogate(before.charCodeAt(before.length - suffix))) suffix--;
  return { index: prefix, remove: before.length - prefix - suffix, insert: after.slice(prefix, after.length - suffix) };
}

/** A change as Yjs describes it (`Y.YTextEvent.delta`): retain, insert or delete, in order. */
export type TextDelta = { retain?: number; insert?: unknown; delete?: number }[];

/**
 * Where a position in the old text is after a change: text inserted before it pushes it right, text
 * deleted before it pulls it left, and inside a deleted range it lands where the range was. Text
 * inserted exactly at the position goes after it (a caret stays where its owner left it while someone
 * else types at the same spot) unless `insertsBefore`.
 */
export function transformIndex(index: number, delta: TextDelta, insertsBefore = false): number {
  let oldPosition = 0;
  let newPosition = 0;
  for (const op of delta) {
    if (op.retain !== undefined) {
      if (index < oldPosition + op.retain) break;
      oldPosition += op.retain;
      newPosition += op.retain;
    } else if (op.insert !== undefined) {
      if (index === oldPosition && !insertsBefore) break;
      newPosition += typeof op.insert === 'string' ? op.insert.length : 1;
    } else if (op.delete !== undefined) {
      if (index < oldPosition + op.delete) return newPosition;
      oldPosition += op.delete;
    }
  }
  return newPosition + (index - oldPosition);
}
