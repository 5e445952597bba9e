import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { diffText, transformIndex, type TextDelta } from '../../web/src/text-diff.js';

/** Applies an edit the way the notes editor does: one delete and one insert on the Y.Text. */
function applyEdit(text: Y.Text, before: string, after: string, caret?: number) {
  const edit = diffText(before, after, caret);
  if (!edit) return;
  text.doc!.transact(() => {
    if (edit.remove) text.delete(edit.index, edit.remove);
    if (edit.insert) text.insert(edit.index, edit.insert);
  });
}

function textOf(initial = '') {
  const doc = new Y.Doc();
  const text = doc.getText('notes');
  text.insert(0, initial);
  return { doc, text };
}

/** Two replicas of one document, each editing on its own until they exchange updates. */
function replicas(initial: string) {
  const a = textOf(initial);
  const b = new Y.Doc();
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a.doc));
  return { a: a.text, b: b.getText('notes') };
}

function exchange(a: Y.Text, b: Y.Text) {
  const fromA = Y.encodeStateAsUpdate(a.doc!, Y.encodeStateVector(b.doc!));
  const fromB = Y.encodeStateAsUpdate(b.doc!, Y.encodeStateVector(a.doc!));
  Y.applyUpdate(b.doc!, fromA);
  Y.applyUpdate(a.doc!, fromB);
}

describe('diffText: a textarea change as the one Y.Text edit it made', () => {
  it('finds typing, deleting and replacing a selection', () => {
    expect(diffText('Source of funds', 'Source of funds ok', 18)).toEqual({ index: 15, remove: 0, insert: ' ok' });
    expect(diffText('Source of funds', 'Source funds', 7)).toEqual({ index: 7, remove: 3, insert: '' });
    expect(diffText('Source of funds', 'Source of wealth', 16)).toEqual({ index: 10, remove: 5, insert: 'wealth' });
    expect(diffText('', 'x', 1)).toEqual({ index: 0, remove: 0, insert: 'x' });
    expect(diffText('abc', '', 0)).toEqual({ index: 0, remove: 3, insert: '' });
    expect(diffText('same', 'same', 2)).toBeNull();
  });

  it('uses the caret where the text alone is ambiguous', () => {
    // "a" typed between the two a's of "aa": the text alone would say at the end.
    expect(diffText('aa', 'aaa', 2)).toEqual({ index: 1, remove: 0, insert: 'a' });
    expect(diffText('aa', 'aaa')).toEqual({ index: 2, remove: 0, insert: 'a' });
    expect(diffText('aa', 'aaa', 1)).toEqual({ index: 0, remove: 0, insert: 'a' });
    // Backspace on the first "l" of "hello" (caret ends at 2) versus on the second (caret at 3).
    expect(diffText('hello', 'helo', 2)).toEqual({ index: 2, remove: 1, insert: '' });
    expect(diffText('hello', 'helo', 3)).toEqual({ index: 3, remove: 1, insert: '' });
    // A newline typed at the start of a line that repeats the one before.
    expect(diffText('ok\nok', 'ok\n\nok', 3)).toEqual({ index: 2, remove: 0, insert: '\n' });
  });

  it('never splits a surrogate pair', () => {
    expect(diffText('a😀b', 'a😁b', 3)).toEqual({ index: 1, remove: 2, insert: '😁' });
    expect(diffText('😀', '😀😀', 4)).toEqual({ index: 2, remove: 0, insert: '😀' });
    expect(diffText('x😀', 'x', 1)).toEqual({ index: 1, remove: 2, insert: '' });
    expect(diffText('😀😁', '😁', 0)).toEqual({ index: 0, remove: 2, insert: '' });
  });

  it('turns any change into text equal to the textarea, never larger than the change made', () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const alphabet = ['a', 'b', ' ', '\n', '😀', 'é'];
    const word = (length: number) => Array.from({ length }, () => alphabet[random(alphabet.length)]);
    for (let round = 0; round < 500; round++) {
      // Whole characters, as a person edits: an emoji is typed or deleted as one.
      const chars = word(random(12));
      const at = random(chars.length + 1);
      const removed = chars.slice(at, at + random(chars.length - at + 1)).join('');
      const inserted = word(random(4)).join('');
      const head = chars.slice(0, at).join('');
      const before = chars.join('');
      const after = head + inserted + before.slice(head.length + removed.length);
      for (const caret of [head.length + inserted.length, undefined]) {
        const { text } = textOf(before);
        applyEdit(text, before, after, caret);
        expect(text.toString()).toBe(after);
        const edit = diffText(before, after, caret);
        if (edit) expect(edit.remove + edit.insert.length).toBeLessThanOrEqual(removed.length + inserted.length);
        else expect(after).toBe(before);
      }
    }
  });

  it('lets two people typing in different places both keep their words', () => {
    const { a, b } = replicas('Client source of funds: salary.');
    applyEdit(a, a.toString(), 'Verified. Client source of funds: salary.', 10);
    applyEdit(b, b.toString(), 'Client source of funds: salary and bonus.', 40);
    exchange(a, b);
    expect(a.toString()).toBe('Verified. Client source of funds: salary and bonus.');
    expect(b.toString()).toBe(a.toString());
  });
});

describe('transformIndex: a caret under someone else’s edit', () => {
  /** The delta Yjs reports when `change` runs on a text holding `initial`. */
  function deltaOf(initial: string, change: (text: Y.Text) => void): TextDelta {
    const { text } = textOf(initial);
    let delta: TextDelta = [];
    text.observe((event) => (delta = event.delta as TextDelta));
    change(text);
    return delta;
  }

  it('moves with text inserted or deleted before it, not after it', () => {
    const insertBefore = deltaOf('hello world', (t) => t.insert(0, '>> '));
    expect(transformIndex(6, insertBefore)).toBe(9);
    const insertAfter = deltaOf('hello world', (t) => t.insert(8, 'XX'));
    expect(transformIndex(6, insertAfter)).toBe(6);
    const deleteBefore = deltaOf('hello world', (t) => t.delete(0, 6));
    expect(transformIndex(8, deleteBefore)).toBe(2);
    const deleteAfter = deltaOf('hello world', (t) => t.delete(8, 2));
    expect(transformIndex(6, deleteAfter)).toBe(6);
  });

  it('lands at the start of a deleted range it was inside, and stays before text typed at it', () => {
    const deleteAround = deltaOf('hello world', (t) => t.delete(3, 5));
    expect(transformIndex(5, deleteAround)).toBe(3);
    const insertAt = deltaOf('hello world', (t) => t.insert(5, ','));
    expect(transformIndex(5, insertAt)).toBe(5);
    expect(transformIndex(5, insertAt, true)).toBe(6);
    expect(
      transformIndex(
        11,
        deltaOf('hello world', (t) => t.insert(0, 'Re: ')),
      ),
    ).toBe(15);
  });
});
