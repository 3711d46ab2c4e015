/**
 * The contract's channel names, with no dependency at all: the sandboxed Electron preload bundles
 * this file (it cannot load zod), and contract.ts checks its schemas and payload maps against it.
 */
export const invokeChannels = [
  'chat.send',
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
  'kb.sources',
  'kb.remove',
  'kb.search',
  'kb.eval',
  'settings.get',
  'settings.update',
  'settings.test',
] as const;
export type InvokeChannel = (typeof invokeChannels)[number];

export const eventChannels = ['chat.event', 'health', 'turn.sample', 'alerts', 'conversations', 'kb.progress'] as const;
export type EventChannel = (typeof eventChannels)[number];

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && (invokeChannels as readonly string[]).includes(value);
}

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && (eventChannels as readonly string[]).includes(value);
}
