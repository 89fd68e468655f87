// Messages: encrypt and send (sealing to missing members the client verified, or rotating the key
// when the relay says so), and decrypt received timeline entries into view models. Every payload
// carries `after` and, in groups, `mh` (DESIGN §7.3), so receivers can tell what the relay did.
// A failure to decrypt is a view model with status 'undecryptable' and the reason, never a
// dropped message.
import {
  decryptMessage,
  encryptMessage,
  fromBase64,
  newClientMsgId,
  type Payload,
  toBase64,
} from '@parley/crypto-core';
import {
  type ChannelSummary,
  MAX_CIPHERTEXT_BYTES,
  type SendBody,
  type SendResponse,
  type SystemEvent,
  type WireMessage,
} from '@parley/server/protocol';
import type { z } from 'zod';
import type { Session } from './account';
import type { ChannelAlerts } from './alerts';
import type { Api, HistoryRequest } from './api';
import type { Channels } from './channels';
import type { Contacts } from './contacts';
import type { EditVersion } from './edits';
import {
  ApiError,
  ClosedError,
  KeyChangeBlockedError,
  MessageTooLargeError,
  TimeoutError,
  TrustError,
  TrustUnknownError,
} from './errors';
import type { KeyTransparency, KtHeadRef } from './kt';
import type { GroupLogs, MembershipHead } from './membership';
import type { ReactionSummary } from './reactions';
import type { ReplyPreview } from './rich-timeline';
import type { MyKey, SenderKeys } from './sender-keys';
import type { IntegrityFlag } from './timeline-integrity';

/**
 * `deleted`: the sender deleted it (a signed delete); `removed`: the relay dropped its ciphertext
 * without one; `replay`: a second copy of a message shown earlier; `control`: a signed delete,
 * edit or reaction, which is not a row of its own; `rejected`: an edit signed by someone other
 * than its target's sender, ignored.
 */
export type MessageStatus =
  | 'ok'
  | 'deleted'
  | 'removed'
  | 'replay'
  | 'control'
  | 'rejected'
  | 'undecryptable'
  | 'system';

export interface MessageView {
  channelId: string;
  seq: number;
  senderId: string | null;
  /** Relay time of the commit (ms): orders the timeline. The sender's signed time is `signedAt`. */
  sentAt: number;
  /** For `ok`: the time the sender signed (`payload.sentAt`), the one to show. */
  signedAt?: number;
  status: MessageStatus;
  /** What the timeline's signed data says the relay did around this entry (DESIGN §7.3). */
  flags?: IntegrityFlag[];
  clientMsgId: string | null;
  keyId: number | null;
  /** For `ok` text messages: the newest text (after edits). */
  text?: string;
  /** For an edited `ok` text: every version, oldest (the original) first; the last is `text`. */
  edits?: EditVersion[];
  /** For `ok` text: its reactions, one entry per emoji with at least one. */
  reactions?: ReactionSummary[];
  /** For `ok` text that answers another (`replyTo`): what this client can see of the original. */
  reply?: ReplyPreview;
  /** For `ok` text: its newest version mentions me. */
  mentionsMe?: boolean;
  /** For `ok`: the whole decrypted payload (text, and later edits, replies, deletions). */
  payload?: Payload;
  /** For `undecryptable`: why. */
  error?: string;
  /** For `undecryptable`: the failure was the network or the relay, not the message; worth retrying. */
  retryable?: boolean;
  /** For `system`: the membership event. */
  system?: z.infer<typeof SystemEvent>;
}

export interface SendResult {
  channelId: string;
  clientMsgId: string;
  seq: number;
  sentAt: number;
}

/** How a ciphertext reaches the relay: the socket when connected, else REST. */
export type Transport = (channelId: string, body: SendBody) => Promise<SendResponse>;

/** Attempts per send (missing shares and key rotations each take one). */
const MAX_ATTEMPTS = 5;

export class Messages {
  readonly #api: Api;
  readonly #session: Session;
  readonly #contacts: Contacts;
  readonly #channels: Channels;
  readonly #keys: SenderKeys;
  readonly #logs: GroupLogs;
  readonly #kt: KeyTransparency;
  readonly #alerts: ChannelAlerts;
  readonly #view: TimelineView;
  /** My last send per channel: newer in my view than anything held until it is held itself. */
  readonly #lastSent = new Map<string, string>();
  #transport: Transport;

  constructor(deps: {
    api: Api;
    session: Session;
    contacts: Contacts;
    channels: Channels;
    keys: SenderKeys;
    logs: GroupLogs;
    kt: KeyTransparency;
    alerts: ChannelAlerts;
    view: TimelineView;
    transport?: Transport;
  }) {
    this.#api = deps.api;
    this.#session = deps.session;
    this.#contacts = deps.contacts;
    this.#channels = deps.channels;
    this.#keys = deps.keys;
    this.#logs = deps.logs;
    this.#kt = deps.kt;
    this.#alerts = deps.alerts;
    this.#view = deps.view;
    this.#transport = deps.transport ?? ((channelId, body) => deps.api.send(channelId, body));
  }

  setTransport(transport: Transport): void {
    this.#transport = transport;
  }

  /**
   * Encrypts and sends a text. Retries on `missing_shares` (sealing to the members named that I
   * verified) and on `stale_key` (a new key) with the same clientMsgId. Throws
   * KeyChangeBlockedError when a member's identity key changed and is not yet acknowledged or
   * re-verified, TrustUnknownError while the pins failed closed.
   */
  sendText(channelId: string, text: string, opts: { clientMsgId?: string } = {}): Promise<SendResult> {
    return this.#send(channelId, opts.clientMsgId ?? newClientMsgId(), { kind: 'text', text });
  }

  /**
   * Sends any payload (a text with a reply or mentions, an edit, a reaction) on the same ordered,
   * acked path as a text: the relay commits it with the next seq before it is acked.
   */
  sendPayload(
    channelId: string,
    body: PayloadBody,
    opts: { clientMsgId?: string } = {},
  ): Promise<SendResult> {
    return this.#send(channelId, opts.clientMsgId ?? newClientMsgId(), body);
  }

  /** Sends the signed delete of one of my messages (DESIGN §7.3: only this deletes it). */
  sendDelete(channelId: string, target: string): Promise<SendResult> {
    return this.#send(channelId, newClientMsgId(), { kind: 'delete', target });
  }

  async #send(channelId: string, clientMsgId: string, body: PayloadBody): Promise<SendResult> {
    const me = this.#session.user.id;
    let channel = await this.#channels.get(channelId);
    for (let attempt = 1; ; attempt++) {
      await this.#checkSendable(channel);
      let key: MyKey | undefined;
      try {
        key = await this.#keys.current(channel);
        const payload = {
          v: 1,
          sentAt: Date.now(),
          ...body,
          ...this.#context(channel, clientMsgId),
        } as Payload;
        const ciphertext = encryptMessage({
          channelId,
          senderId: me,
          keyId: key.keyId,
          clientMsgId,
          senderKey: key.key,
          senderSignSk: this.#session.identity.signSk,
          payload,
        });
        // Refuse here what the relay would refuse (or, over the socket, close on): never retried.
        if (ciphertext.length > MAX_CIPHERTEXT_BYTES) {
          throw new MessageTooLargeError(
            `message too large: ${ciphertext.length} bytes encrypted, at most ${MAX_CIPHERTEXT_BYTES}`,
          );
        }
        this.#lastSent.set(channelId, clientMsgId);
        const ack = await this.#transport(channelId, {
          clientMsgId,
          keyId: key.keyId,
          ciphertext: toBase64(ciphertext),
        });
        return { channelId, clientMsgId, seq: ack.seq, sentAt: ack.sentAt };
      } catch (err) {
        if (!(err instanceof ApiError) || attempt >= MAX_ATTEMPTS) throw err;
        channel = await this.#recover(err, channelId, key);
      }
    }
  }

  /** `after` (the newest message in my view), in a group `mh` (my verified head), and `kt` (§7.5). */
  #context(
    channel: ChannelSummary,
    clientMsgId: string,
  ): { after?: string; mh?: MembershipHead; kt?: KtHeadRef } {
    const mine = this.#lastSent.get(channel.id);
    const newest = this.#view.newest(channel.id);
    const after =
      mine !== undefined && mine !== clientMsgId && !this.#view.holds(channel.id, mine) ? mine : newest;
    const mh = channel.kind === 'group' ? this.#logs.head(channel.id) : undefined;
    const kt = this.#kt.ref();
    return {
      ...(after !== undefined && after !== clientMsgId ? { after } : {}),
      ...(mh ? { mh } : {}),
      ...(kt ? { kt } : {}),
    };
  }

  /**
   * After a refused send: seal to the members the relay named (missing_shares), or drop the key so
   * the next try makes a new one (stale_key, or shares refused because membership moved on).
   * Returns the fresh channel summary; rethrows anything else.
   */
  async #recover(err: ApiError, channelId: string, key: MyKey | undefined): Promise<ChannelSummary> {
    if (err.code !== 'missing_shares' && err.code !== 'stale_key' && !membershipMoved(err)) throw err;
    const channel = await this.#channels.get(channelId, true);
    if (err.code === 'missing_shares' && key && (await this.#logs.epoch(channel)) === key.epoch) {
      // The relay's list is a hint: seal only to those of them I verified; the rest are refused.
      const named = err.missingMembers;
      const missing =
        named.length > 0
          ? await this.#logs.filterMissing(channel, named)
          : await this.#logs.recipients(channel);
      if (named.length > 0 && missing.length === 0) {
        throw new TrustError('the server wants your key shared with people outside this conversation');
      }
      try {
        await this.#keys.share(key, missing);
      } catch (shareErr) {
        if (!(shareErr instanceof ApiError && membershipMoved(shareErr))) throw shareErr;
        return this.#channels.get(channelId, true);
      }
      if (missing.length > 0 && missing.every((id) => this.#contacts.blockReason(id) === 'no-key')) {
        // Sealed to everyone else already; the relay will not take a message they cannot read.
        throw new TrustError(
          `not delivered: the server requires your key for ${missing.length === 1 ? 'a member' : 'members'} whose keys are unusable`,
        );
      }
      return channel;
    }
    // Otherwise a new key: the epoch moved (a rotation covers every member) or the key is refused.
    this.#keys.invalidate(channelId);
    return channel;
  }

  async #checkSendable(channel: ChannelSummary): Promise<void> {
    const unknown = this.#contacts.trustUnknown;
    if (unknown !== null) throw new TrustUnknownError(unknown);
    const me = this.#session.user.id;
    const others = (await this.#logs.recipients(channel)).filter((id) => id !== me);
    if (others.some((id) => !this.#contacts.peek(id))) await this.#contacts.refresh();
    // Keys of private conversations must be the ones the key log publishes (DESIGN §7.5).
    if (channel.kind !== 'broadcast') {
      await Promise.all(others.map((id) => this.#contacts.checkKeyLog(id, { wait: true })));
    }
    const blocked = others.filter((id) => {
      const reason = this.#contacts.blockReason(id);
      return reason === 'key-changed' || reason === 'must-reverify';
    });
    if (blocked.length > 0) throw new KeyChangeBlockedError(channel.id, blocked);
  }

  /** Turns a timeline entry into its view model; never throws for a bad message. */
  async decrypt(m: WireMessage): Promise<MessageView> {
    const base = {
      channelId: m.channelId,
      seq: m.seq,
      senderId: m.senderId,
      sentAt: m.sentAt,
      clientMsgId: m.clientMsgId,
      keyId: m.keyId,
    };
    if (m.kind === 'system') {
      return m.system
        ? { ...base, status: 'system', system: m.system }
        : { ...base, status: 'undecryptable', error: 'system entry without event' };
    }
    if (m.deleted || m.ciphertext === null) return { ...base, status: 'deleted' };
    if (m.senderId === null || m.keyId === null || m.clientMsgId === null) {
      return { ...base, status: 'undecryptable', error: 'message without sender, key or id' };
    }
    try {
      if (m.senderId === this.#session.user.id) this.#keys.noteOwnKeyId(m.channelId, m.keyId);
      const senderKey = await this.#keys.keyFor(m.channelId, m.senderId, m.keyId);
      const senderIdentityPk = await this.#contacts.identityKeyFor(m.senderId);
      const payload = decryptMessage({
        channelId: m.channelId,
        senderId: m.senderId,
        keyId: m.keyId,
        clientMsgId: m.clientMsgId,
        senderKey,
        senderIdentityPk,
        ciphertext: fromBase64(m.ciphertext),
      });
      const view: MessageView = { ...base, status: 'ok', payload, signedAt: payload.sentAt };
      if (payload.kind === 'text') view.text = payload.text;
      if (payload.mh && m.channelId !== 'broadcast') void this.#checkHead(m.channelId, payload.mh);
      if (payload.kt) void this.#checkGossip(m.channelId, m.senderId, payload.kt);
      void this.#contacts.checkKeyLog(m.senderId).catch(() => {});
      return view;
    } catch (err) {
      const contact = this.#contacts.peek(m.senderId);
      const hint = contact?.keyChanged
        ? " (the sender's identity key changed and is not yet acknowledged)"
        : '';
      const view: MessageView = {
        ...base,
        status: 'undecryptable',
        error: `${(err as Error).message}${hint}`,
      };
      if (isTransient(err)) view.retryable = true;
      return view;
    }
  }

  /** One page of history, decrypted. `before` pages backwards; the relay never serves entries before our join. */
  async history(
    channelId: string,
    query: HistoryRequest = {},
  ): Promise<{ messages: MessageView[]; wire: WireMessage[]; hasMore: boolean }> {
    const page = await this.#api.history(channelId, query);
    const messages = await Promise.all(page.messages.map((m) => this.decrypt(m)));
    return { messages, wire: page.messages, hasMore: page.hasMore };
  }

  /** Deletes one of my messages: the signed delete first (it is what deletes), then the ciphertext. */
  async delete(channelId: string, seq: number, clientMsgId: string): Promise<void> {
    await this.sendDelete(channelId, clientMsgId);
    await this.#api.deleteMessage(channelId, seq);
  }

  /** A key-log head a member saw must be on my chain; one that is not means a fork (§7.5). */
  async #checkGossip(channelId: string, senderId: string, ref: KtHeadRef): Promise<void> {
    const onChain = await this.#kt.checkRef(ref).catch(() => true); // retried by the next message
    if (onChain) return;
    this.#alerts.raise({
      channelId,
      kind: 'kt-fork',
      message: `A member's message carries a key-log head (epoch ${ref.epoch}) that is not on the history the server shows you: the server is showing members different key logs.`,
      userIds: [senderId],
    });
  }

  async #checkHead(channelId: string, mh: MembershipHead): Promise<void> {
    if (this.#channels.peek(channelId)?.kind !== 'group') return;
    await this.#logs.checkHead(channelId, mh).catch(() => {}); // a network failure is retried by the next message
  }
}

/** What a payload says, without the fields every send fills in (`v`, `sentAt`, §7.3's context). */
export type PayloadBody = Payload extends infer P
  ? P extends Payload
    ? Omit<P, 'v' | 'sentAt' | 'after' | 'mh' | 'kt'>
    : never
  : never;

/** What the sender's view of a channel holds, for `after`. */
export interface TimelineView {
  /** The clientMsgId of the newest message held, if any. */
  newest(channelId: string): string | undefined;
  holds(channelId: string, clientMsgId: string): boolean;
}

/** The relay refused shares for users who are no longer members: our member list was stale. */
function membershipMoved(err: ApiError): boolean {
  const d = err.details as { notMembers?: unknown } | undefined;
  return err.code === 'bad_request' && Array.isArray(d?.notMembers);
}

/** A failure of the way there (network, relay down or overloaded), not of the message itself. */
export function isTransient(err: unknown): boolean {
  if (err instanceof ApiError) return err.status >= 500 || err.code === 'rate_limited';
  if (err instanceof ClosedError || err instanceof TimeoutError) return true;
  // fetch reports network failures as a TypeError ("fetch failed", "Failed to fetch").
  return err instanceof TypeError;
}
