// Relay events: what happened after a commit, published by routes and the socket handler and
// delivered to connected sockets. With Redis they cross relays; without it they stay in process.
import type { MessageRecord } from '../db/store';

export type RelayEvent =
  /** A committed timeline entry (message or membership system entry). */
  | { type: 'message'; message: MessageRecord }
  | { type: 'deleted'; channelId: string; seq: number }
  /** Membership of the channel changed; `userIds` are everyone whose view changed (incl. removed). */
  | { type: 'membership'; channelId: string; userIds: string[] }
  /** The user was disabled or deleted: close their sockets everywhere. */
  | { type: 'user-closed'; userId: string }
  /** Some of the user's sessions ended (logout, password change, recovery): re-check their sockets now. */
  | { type: 'sessions-ended'; userId: string }
  | { type: 'typing'; channelId: string; userId: string }
  | { type: 'presence'; userId: string; online: boolean }
  /**
   * A relay's link to Redis is back after an outage: events were lost between relays meanwhile.
   * Every relay catches its sockets up from the store (the newest entry of each channel).
   */
  | { type: 'resync' };

export type RelayEventListener = (event: RelayEvent) => void;

export interface EventBus {
  publish(event: RelayEvent): void;
  subscribe(listener: RelayEventListener): () => void;
  close(): Promise<void>;
}

/** Single-process bus: delivers synchronously to local listeners. */
export class LocalEventBus implements EventBus {
  readonly #listeners = new Set<RelayEventListener>();

  publish(event: RelayEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  subscribe(listener: RelayEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
