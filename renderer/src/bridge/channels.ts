/**
 * Event channel names at runtime, without importing core/common/contract at runtime: that module
 * builds zod schemas, which the UI does not need and would carry in its bundle. The Record type
 * makes the compiler fail if the contract gains or loses a channel that is not listed here.
 */
import type { EventChannel } from '../../../core/common/contract';

const knownEventChannels: Record<EventChannel, true> = { 'chat.event': true, health: true, 'turn.sample': true };

export function isKnownEventChannel(value: string): value is EventChannel {
  return Object.hasOwn(knownEventChannels, value);
}
