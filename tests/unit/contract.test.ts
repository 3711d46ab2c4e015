import { describe, expect, it } from 'vitest';
import { BrunoError, contractMethods, eventChannels, invokeChannels, isInvokeChannel, parseInvokeInput, toErrorInfo } from '../../core/common';

describe('contract', () => {
  it('lists its channels at runtime', () => {
    expect(invokeChannels).toEqual([
      'chat.send',
      'chat.approve',
      'chat.stop',
      'models.list',
      'health.get',
      'traces.get',
      'alerts.list',
      'conversations.list',
      'conversations.get',
      'conversations.rename',
      'conversations.delete',
      'memory.list',
      'memory.add',
      'memory.delete',
      'memory.status',
      'kb.ingest',
      'kb.reingest',
      'kb.cancel',
      'kb.sources',
      'kb.remove',
      'kb.search',
      'kb.eval',
      'kb.evalHistory',
      'settings.get',
      'settings.update',
      'settings.test',
      'tools.list',
    ]);
    expect(eventChannels).toEqual(['chat.event', 'health', 'turn.sample', 'alerts', 'conversations', 'kb.progress', 'chat.judged']);
    expect(isInvokeChannel('chat.send')).toBe(true);
    expect(isInvokeChannel('toString')).toBe(false);
    expect(isInvokeChannel('__proto__')).toBe(false);
    expect(isInvokeChannel('constructor')).toBe(false);
    // Every method declares what it does, for the docs and the CLI's usage.
    for (const [name, spec] of Object.entries(contractMethods)) expect(spec.summary, name).toMatch(/^[A-Z].+\.$/);
  });

  it('accepts valid inputs and trims the message', () => {
    expect(parseInvokeInput('chat.send', { message: '  hi  ', conversationId: 'c-1' })).toEqual({ message: 'hi', conversationId: 'c-1' });
    expect(parseInvokeInput('health.get', undefined)).toBeUndefined();
    expect(parseInvokeInput('models.list', {})).toEqual({});
  });

  it.each([
    ['chat.send', null, /expected object/],
    ['chat.send', { message: '   ' }, /message: message is empty/],
    ['chat.send', { message: 'x', extra: 1 }, /extra/],
    ['chat.send', { message: 42 }, /message/],
    ['chat.send', { message: 'x', conversationId: '../../etc' }, /conversationId/],
    ['chat.stop', {}, /turnId/],
    ['health.get', { please: true }, /please/],
  ])('%s rejects %j with a clear error', (channel, payload, pattern) => {
    let error: unknown;
    try {
      parseInvokeInput(channel, payload);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BrunoError);
    expect((error as BrunoError).code).toBe('invalid_request');
    expect((error as BrunoError).message).toMatch(new RegExp(`^Invalid input for ${channel.replace('.', '\\.')}`));
    expect((error as BrunoError).message).toMatch(pattern);
  });

  it('rejects unknown channels, naming the known ones', () => {
    expect(() => parseInvokeInput('fs.read', {})).toThrow(/Unknown method 'fs.read'. Known: chat.send/);
  });

  it('turns anything thrown into the wire shape without a stack', () => {
    expect(toErrorInfo(new BrunoError('model_not_found', 'nope'))).toEqual({ code: 'model_not_found', message: 'nope' });
    expect(toErrorInfo(new TypeError('boom'))).toEqual({ code: 'internal', message: 'Internal error: boom' });
    expect(toErrorInfo({ code: 'cancelled', message: 'Stopped.' })).toEqual({ code: 'cancelled', message: 'Stopped.' });
    expect(toErrorInfo('weird')).toEqual({ code: 'internal', message: 'Internal error: weird' });
  });
});
