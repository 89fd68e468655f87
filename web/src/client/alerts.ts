// Channel alerts: what the client caught the relay doing in a conversation (DESIGN §7). They
// persist for the session; the app shows them in the conversation and they are never dismissed
// silently, because each one means the server lied or a key does not match.

export type AlertKind =
  /** The relay named or listed someone outside the members the client verified. */
  | 'ghost-member'
  /** The relay showed this member a membership log that another member's message contradicts. */
  | 'views-differ'
  /** The membership log bound a key for a member that differs from the key pinned for them. */
  | 'key-mismatch'
  /** A group made before signed membership: its owner has not re-signed the members yet. */
  | 'unverified-membership'
  /** A member whose keys cannot be used: skipped when sealing, so they cannot read new messages. */
  | 'unusable-key'
  /** A member's message carries a key-log head that is not on this client's chain (§7.5 gossip). */
  | 'kt-fork';

export interface ChannelAlert {
  channelId: string;
  kind: AlertKind;
  /** Plain words for the user. */
  message: string;
  /** The users concerned, if any. */
  userIds: string[];
}

/** The alerts raised per channel, deduplicated by kind and users. */
export class ChannelAlerts {
  readonly #byChannel = new Map<string, ChannelAlert[]>();
  readonly #onRaise: (alert: ChannelAlert) => void;
  readonly #onClear: (channelId: string, kind: AlertKind) => void;

  constructor(hooks: {
    onRaise: (alert: ChannelAlert) => void;
    onClear: (channelId: string, kind: AlertKind) => void;
  }) {
    this.#onRaise = hooks.onRaise;
    this.#onClear = hooks.onClear;
  }

  /** Records an alert; returns false (and says nothing) when the same one is already raised. */
  raise(alert: ChannelAlert): boolean {
    const list = this.#byChannel.get(alert.channelId) ?? [];
    const key = alertKey(alert);
    if (list.some((a) => alertKey(a) === key)) return false;
    list.push(alert);
    this.#byChannel.set(alert.channelId, list);
    this.#onRaise(alert);
    return true;
  }

  /** Withdraws an alert of a kind once its cause is gone (e.g. the owner re-signed the members). */
  clear(channelId: string, kind: AlertKind): void {
    const list = this.#byChannel.get(channelId);
    if (list)
      this.#byChannel.set(
        channelId,
        list.filter((a) => a.kind !== kind),
      );
  }

  of(channelId: string): readonly ChannelAlert[] {
    return this.#byChannel.get(channelId) ?? [];
  }

  forget(channelId: string): void {
    this.#byChannel.delete(channelId);
  }
}

function alertKey(a: ChannelAlert): string {
  return `${a.kind}|${[...a.userIds].sort().join(',')}`;
}
