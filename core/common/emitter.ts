import type { EventChannel, EventPayloads, Unsubscribe } from './contract';

/** A typed event hub; one per core instance (never a module singleton). */
export interface EventHub {
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayloads[E]) => void): Unsubscribe;
  emit<E extends EventChannel>(channel: E, payload: EventPayloads[E]): void;
  /** Listen to every channel (transports forward everything). */
  onAny(listener: <E extends EventChannel>(channel: E, payload: EventPayloads[E]) => void): Unsubscribe;
}

export function createEventHub(onListenerError: (err: unknown) => void = () => {}): EventHub {
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  const anyListeners = new Set<(channel: EventChannel, payload: unknown) => void>();
  return {
    on(channel, listener) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      const fn = listener as (payload: never) => void;
      set.add(fn);
      return () => void set.delete(fn);
    },
    onAny(listener) {
      const fn = listener as (channel: EventChannel, payload: unknown) => void;
      anyListeners.add(fn);
      return () => void anyListeners.delete(fn);
    },
    emit(channel, payload) {
      // A failing listener (a closed window, a dropped socket) must not stop the others.
      for (const fn of listeners.get(channel) ?? []) {
        try {
          (fn as (p: typeof payload) => void)(payload);
        } catch (err) {
          onListenerError(err);
        }
      }
      for (const fn of anyListeners) {
        try {
          fn(channel, payload);
        } catch (err) {
          onListenerError(err);
        }
      }
    },
  };
}
