import { describe, expect, it } from 'vitest';
import { buildMemorySystemMessage, detectMemories } from '../../core/memory';

describe('what a message asks the agent to keep', () => {
  it.each([
    ['remember that the NAS is 10.0.0.5', [{ type: 'semantic', text: 'the NAS is 10.0.0.5' }]],
    ['Remember: backups run at 02:00.', [{ type: 'semantic', text: 'backups run at 02:00' }]],
    ['Please remember that my router is a MikroTik hAP ax3!', [{ type: 'semantic', text: 'my router is a MikroTik hAP ax3' }]],
    ['Note that the UPS gives us 20 minutes. How long do backups take?', [{ type: 'semantic', text: 'the UPS gives us 20 minutes' }]],
    ['From now on, answer in English.', [{ type: 'procedural', text: 'answer in English' }]],
    ['always show commands for Debian 12', [{ type: 'procedural', text: 'always show commands for Debian 12' }]],
    ['Never use sudo in examples', [{ type: 'procedural', text: 'Never use sudo in examples' }]],
  ])('%s', (message, expected) => {
    expect(detectMemories(message)).toEqual(expected);
  });

  it.each([
    'Do you remember what the NAS address was?',
    'I always forget how to mount NFS, can you help?',
    'Why does it never boot?',
    'never mind',
    'remember that?',
    'What should I note about ZFS scrubs',
    'Can you tell me how to remember passwords',
  ])('leaves ordinary messages alone: %s', (message) => {
    expect(detectMemories(message)).toEqual([]);
  });

  it('builds one system message from instructions and facts, none when there is nothing', () => {
    const m = (text: string, type: 'semantic' | 'procedural') => ({ id: text, type, text, createdAt: '', source: 'user' as const, conversationId: null, score: null });
    expect(buildMemorySystemMessage([], [])).toBeNull();
    expect(buildMemorySystemMessage([m('answer in English', 'procedural')], [m('the NAS is 10.0.0.5', 'semantic')])).toBe(
      'Standing instructions from the user. Follow them in every answer:\n- answer in English\n\nFacts the user asked you to remember. Use them when they are relevant:\n- the NAS is 10.0.0.5',
    );
  });
});
