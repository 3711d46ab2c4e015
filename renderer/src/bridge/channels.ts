/**
 * Event channel names at runtime, from core/common/channels.ts (which has no dependencies):
 * importing core/common's index at runtime would carry the contract's zod schemas into the bundle.
 */
export { isEventChannel as isKnownEventChannel } from '../../../core/common/channels';
