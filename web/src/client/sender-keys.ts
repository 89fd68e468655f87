// Sender keys (DESIGN §3 "Channels and sender keys", §7.1): my current key per channel (reused
// while its epoch is the epoch I verified, else a new one with a higher keyId), sealed only to the
// members I verified, myself included, and uploaded; keys of others opened from the shares sealed
// to me, checked against the sender's pinned identity key, and cached.
import { fromBase64, generateSenderKey, openShare, sealShare, toBase64, wipe } from '@parley/crypto-core';
import type { ChannelSummary } from '@parley/server/protocol';
import type { Session } from './account';
import type { ChannelAlerts } from './alerts';
import type { Api } from './api';
import type { Contacts } from './contacts';
import { KeyChangeBlockedError, TrustError } from './errors';
import type { GroupLogs } from './membership';

export interface MyKey {
  channelId: string;
  keyId: number;
  key: Uint8Array;
  /** The channel's epoch when the key was made: for a group, the length of my verified log. */
  epoch: number;
}

const U32_MAX = 0xffff_ffff;

export class SenderKeys {
  readonly #api: Api;
  readonly #session: Session;
  readonly #contacts: Contacts;
  readonly #logs: GroupLogs;
  readonly #alerts: ChannelAlerts;
  readonly #mine = new Map<string, MyKey>();
  /** Highest keyId of mine seen per channel (own shares, own messages). */
  readonly #maxKeyId = new Map<string, number>();
  readonly #received = new Map<string, Promise<Uint8Array>>();
  readonly #pendingMine = new Map<string, Promise<MyKey>>();

  /** Channels whose next send must use a brand-new key (never one found among my shares). */
  readonly #retired = new Set<string>();

  constructor(deps: {
    api: Api;
    session: Session;
    contacts: Contacts;
    logs: GroupLogs;
    alerts: ChannelAlerts;
  }) {
    this.#api = deps.api;
    this.#session = deps.session;
    this.#contacts = deps.contacts;
    this.#logs = deps.logs;
    this.#alerts = deps.alerts;
  }

  get #me(): string {
    return this.#session.user.id;
  }

  /** Notes a keyId of mine seen elsewhere (e.g. in history), so a new key is always above it. */
  noteOwnKeyId(channelId: string, keyId: number): void {
    if ((this.#maxKeyId.get(channelId) ?? -1) < keyId) this.#maxKeyId.set(channelId, keyId);
  }

  /**
   * My key for the channel: the cached one while its epoch is current; on a new device, the
   * highest one found among my own shares if its epoch is current; otherwise a new one, shared.
   */
  async current(channel: ChannelSummary): Promise<MyKey> {
    const epoch = await this.#logs.epoch(channel);
    const cached = this.#mine.get(channel.id);
    if (cached && cached.epoch === epoch) return cached;
    let pending = this.#pendingMine.get(channel.id);
    if (!pending) {
      const lookUp = cached === undefined && !this.#retired.has(channel.id);
      pending = this.#resolveCurrent(channel, epoch, lookUp).finally(() =>
        this.#pendingMine.delete(channel.id),
      );
      this.#pendingMine.set(channel.id, pending);
    }
    return pending;
  }

  async #resolveCurrent(channel: ChannelSummary, epoch: number, lookUp: boolean): Promise<MyKey> {
    if (lookUp) {
      const mine = (await this.#api.shares(channel.id, { senderId: this.#me })).filter(
        (s) => s.senderId === this.#me && s.recipientId === this.#me,
      );
      let best: (typeof mine)[number] | undefined;
      for (const s of mine) {
        this.noteOwnKeyId(channel.id, s.keyId);
        if (!best || s.keyId > best.keyId) best = s;
      }
      if (best && best.epoch === epoch) {
        const key = this.#open(channel.id, this.#me, best.keyId, best.sealed, this.#session.identity.signPk);
        const found: MyKey = { channelId: channel.id, keyId: best.keyId, key, epoch: best.epoch };
        this.#mine.set(channel.id, found);
        this.#received.set(receivedId(channel.id, this.#me, best.keyId), Promise.resolve(key));
        return found;
      }
    }
    return this.rotate(channel);
  }

  /** A new key with a higher keyId, sealed to every verified member (myself included) and uploaded. */
  async rotate(channel: ChannelSummary): Promise<MyKey> {
    const recipients = await this.#logs.recipients(channel);
    const epoch = await this.#logs.epoch(channel);
    const old = this.#mine.get(channel.id);
    const keyId = Math.max(this.#maxKeyId.get(channel.id) ?? 0, old?.keyId ?? 0) + 1;
    if (keyId > U32_MAX) throw new TrustError(`sender key ids of ${channel.id} exhausted`);
    this.noteOwnKeyId(channel.id, keyId);
    const next: MyKey = {
      channelId: channel.id,
      keyId,
      key: generateSenderKey(),
      epoch,
    };
    await this.share(next, recipients);
    this.#mine.set(channel.id, next);
    this.#retired.delete(channel.id);
    this.#received.set(receivedId(channel.id, this.#me, keyId), Promise.resolve(next.key));
    return next;
  }

  /**
   * Seals my key to these users (the caller has checked that they are members I verified) and
   * uploads the shares. Refuses users whose key changed; skips, and reports, users whose keys are
   * unusable (no account, a key crypto-core refuses), so one bad key never stops the others.
   */
  async share(key: MyKey, userIds: string[]): Promise<void> {
    const wanted = [...new Set(userIds)];
    for (const id of wanted) {
      if (id === this.#me || this.#contacts.peek(id)) continue;
      await this.#contacts.get(id).catch((err: unknown) => {
        if (!(err instanceof TrustError)) throw err;
      });
    }
    const blocked = wanted.filter((id) => {
      const reason = this.#contacts.blockReason(id);
      return reason !== null && reason !== 'no-key';
    });
    if (blocked.length > 0) throw new KeyChangeBlockedError(key.channelId, blocked);
    const unusable = wanted.filter((id) => this.#contacts.blockReason(id) === 'no-key');
    if (unusable.length > 0) {
      this.#alerts.raise({
        channelId: key.channelId,
        kind: 'unusable-key',
        message: `No usable key for ${unusable.map((id) => this.#contacts.peek(id)?.username ?? id).join(', ')}: they cannot read what you send here.`,
        userIds: unusable,
      });
    }
    const recipients = wanted.filter((id) => !unusable.includes(id));
    const shares = recipients.map((recipientId) => {
      const encPk =
        recipientId === this.#me ? this.#session.identity.boxPk : this.#contacts.peek(recipientId)?.encKey;
      if (!encPk) throw new TrustError(`no encryption key for ${recipientId}`);
      const sealed = sealShare({
        channelId: key.channelId,
        senderId: this.#me,
        keyId: key.keyId,
        recipientId,
        key: key.key,
        senderSignSk: this.#session.identity.signSk,
        recipientEncPk: encPk,
      });
      return { recipientId, sealed: toBase64(sealed) };
    });
    if (shares.length === 0) return;
    for (let i = 0; i < shares.length; i += 1000) {
      await this.#api.uploadShares(key.channelId, key.keyId, shares.slice(i, i + 1000));
    }
  }

  /**
   * Retires my key (after stale_key, or when a member's identity key changed) so the next send
   * makes and shares a new one, sealed to every member's current encryption key.
   */
  invalidate(channelId: string): void {
    const k = this.#mine.get(channelId);
    if (k) this.noteOwnKeyId(channelId, k.keyId);
    this.#mine.delete(channelId);
    this.#retired.add(channelId);
  }

  /** The sender key (channel, sender, keyId), from the share sealed to me. Cached; failures are not. */
  keyFor(channelId: string, senderId: string, keyId: number): Promise<Uint8Array> {
    const id = receivedId(channelId, senderId, keyId);
    let p = this.#received.get(id);
    if (!p) {
      p = this.#fetchKey(channelId, senderId, keyId);
      this.#received.set(id, p);
      p.catch(() => this.#received.delete(id));
    }
    return p;
  }

  async #fetchKey(channelId: string, senderId: string, keyId: number): Promise<Uint8Array> {
    const shares = await this.#api.shares(channelId, { senderId, keyId });
    const share = shares.find(
      (s) => s.senderId === senderId && s.keyId === keyId && s.recipientId === this.#me,
    );
    if (!share) throw new TrustError(`no key share for this message (sender key ${keyId})`);
    const senderPk = await this.#contacts.identityKeyFor(senderId);
    if (senderId === this.#me) this.noteOwnKeyId(channelId, keyId);
    return this.#open(channelId, senderId, keyId, share.sealed, senderPk);
  }

  #open(
    channelId: string,
    senderId: string,
    keyId: number,
    sealed: string,
    senderIdentityPk: Uint8Array,
  ): Uint8Array {
    return openShare({
      channelId,
      senderId,
      keyId,
      recipientId: this.#me,
      sealed: fromBase64(sealed),
      senderIdentityPk,
      recipientEncPk: this.#session.identity.boxPk,
      recipientEncSk: this.#session.identity.boxSk,
    });
  }

  /** Forgets everything about a channel (left or removed). */
  forget(channelId: string): void {
    const k = this.#mine.get(channelId);
    if (k) wipe(k.key);
    this.#mine.delete(channelId);
    for (const id of this.#received.keys()) if (id.startsWith(`${channelId}|`)) this.#received.delete(id);
  }
}

function receivedId(channelId: string, senderId: string, keyId: number): string {
  return `${channelId}|${senderId}|${keyId}`;
}
