import { describe, expect, it } from 'vitest';
import { extractMentionHandles, resolveMentionHandles } from '../../hub/mentions.js';

describe('mentions in query text', () => {
  it('reads handles up to their last letter or digit, once each, ignoring e-mail addresses in the text', () => {
    expect(extractMentionHandles('@Alex.Advisor, can you ask @colin.compliance? Thanks @alex.advisor.')).toEqual([
      'alex.advisor',
      'colin.compliance',
    ]);
    expect(extractMentionHandles('write to carla@hub.example or (@carla.compliance)')).toEqual(['carla.compliance']);
    expect(extractMentionHandles('full address: @chris.carter@client.example.')).toEqual([
      'chris.carter@client.example',
    ]);
    expect(extractMentionHandles('no one @ all, @-dash, @.dot')).toEqual([]);
  });

  it('names a person only when the handle is unambiguous', () => {
    const users = [
      { id: 'a', email: 'sam@hub.example' },
      { id: 'b', email: 'sam@client.example' },
      { id: 'c', email: 'alex.advisor@hub.example' },
    ];
    expect(resolveMentionHandles(['alex.advisor', 'sam', 'nobody'], users).map((u) => u.id)).toEqual(['c']);
    expect(resolveMentionHandles(['sam@client.example', 'alex.advisor@hub.example'], users).map((u) => u.id)).toEqual([
      'b',
      'c',
    ]);
  });
});
