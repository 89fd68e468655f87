// Every REST endpoint of the relay, one typed method each (paths as in docs/protocol.md). The only
// module that knows URLs; bytes stay base64url strings here, crypto happens in the callers.
import {
  AdminInvitesResponse,
  AdminUsersResponse,
  AvatarResponse,
  ChannelListResponse,
  ChannelSummary,
  type CreateInviteBody,
  CreateInviteResponse,
  DirectoryResponse,
  HistoryResponse,
  KdfResponse,
  KtChangesResponse,
  KtHeadResponse,
  KtHeadsResponse,
  KtLookupResponse,
  type LogEntry,
  LogResponse,
  Me,
  type PasswordChangeBody,
  PinsResponse,
  PublicUser,
  RecoveryFetchResponse,
  type RecoveryResetBody,
  type RecoverySetBody,
  type RegisterBody,
  RegistrationResponse,
  type SendBody,
  SendResponse,
  SessionResponse,
  SharesResponse,
  StatsResponse,
} from '@parley/server/protocol';
import { z } from 'zod';
import { HttpClient, type HttpOptions } from './http';

type Out<S extends z.ZodType> = z.infer<S>;

/** Answers whose body the client does not use (e.g. `{ok: true}`). */
const Ignored = z.unknown();

export type SessionAnswer = Out<typeof SessionResponse>;
export type HistoryPage = Out<typeof HistoryResponse>;
export type RegisterRequest = RegisterBody;

export interface HistoryRequest {
  after?: number;
  before?: number;
  limit?: number;
}

const enc = encodeURIComponent;

export class Api {
  readonly http: HttpClient;

  constructor(options: HttpOptions) {
    this.http = new HttpClient(options);
  }

  // ---- accounts ----
  kdf(username: string) {
    return this.http.get('/api/auth/kdf', KdfResponse, { username });
  }
  /** The relay's REGISTRATION mode, and what an invite code is worth (without using it). */
  registration(invite?: string) {
    return this.http.get('/api/auth/registration', RegistrationResponse, { invite });
  }
  register(body: RegisterRequest): Promise<SessionAnswer> {
    return this.http.post('/api/auth/register', body, SessionResponse);
  }
  login(username: string, authKey: string): Promise<SessionAnswer> {
    return this.http.post('/api/auth/login', { username, authKey }, SessionResponse);
  }
  async logout(): Promise<void> {
    await this.http.post('/api/auth/logout', {}, Ignored);
  }
  async changePassword(body: Out<typeof PasswordChangeBody>): Promise<void> {
    await this.http.post('/api/me/password', body, Ignored);
  }
  async setRecovery(body: Out<typeof RecoverySetBody>): Promise<void> {
    await this.http.put('/api/me/recovery', body, Ignored);
  }
  async clearRecovery(): Promise<void> {
    await this.http.delete('/api/me/recovery', Ignored);
  }
  recoveryFetch(username: string, recoveryAuthKey: string) {
    return this.http.post('/api/auth/recovery/fetch', { username, recoveryAuthKey }, RecoveryFetchResponse);
  }
  recoveryReset(body: Out<typeof RecoveryResetBody>): Promise<SessionAnswer> {
    return this.http.post('/api/auth/recovery/reset', body, SessionResponse);
  }

  // ---- profile, directory, pins ----
  me() {
    return this.http.get('/api/me', Me);
  }
  updateProfile(patch: { displayName?: string; email?: string | null }) {
    return this.http.patch('/api/me', patch, Me);
  }
  /** Uploads an avatar (PNG, JPEG, GIF or WebP; the relay checks the bytes); returns its new version. */
  async uploadAvatar(bytes: Uint8Array, mime: string): Promise<number> {
    return (await this.http.putBytes('/api/me/avatar', bytes, mime, AvatarResponse)).avatarVersion;
  }
  async deleteAvatar(): Promise<void> {
    await this.http.delete('/api/me/avatar', Ignored);
  }
  /** Relative URL of a user's avatar (for <img src>). */
  avatarPath(userId: string, version: number | null): string {
    return `/api/users/${enc(userId)}/avatar${version === null ? '' : `?v=${version}`}`;
  }
  async directory(): Promise<Out<typeof PublicUser>[]> {
    return (await this.http.get('/api/users', DirectoryResponse)).users;
  }
  user(userId: string) {
    return this.http.get(`/api/users/${enc(userId)}`, PublicUser);
  }
  async getPins(): Promise<string | null> {
    return (await this.http.get('/api/me/pins', PinsResponse)).blob;
  }
  async putPins(blob: string): Promise<void> {
    await this.http.put('/api/me/pins', { blob }, Ignored);
  }

  // ---- channels ----
  async channels(): Promise<ChannelSummary[]> {
    return (await this.http.get('/api/channels', ChannelListResponse)).channels;
  }
  channel(channelId: string): Promise<ChannelSummary> {
    return this.http.get(`/api/channels/${enc(channelId)}`, ChannelSummary);
  }
  openDm(peerId: string): Promise<ChannelSummary> {
    return this.http.post('/api/channels/dm', { peerId }, ChannelSummary);
  }
  /** A group with the creator's signed `create` entry; the id is the creator's (it is signed). */
  createGroup(id: string, name: string, entry: LogEntry): Promise<ChannelSummary> {
    return this.http.post('/api/channels', { id, name, entry }, ChannelSummary);
  }
  invite(channelId: string, userId: string, entry: LogEntry): Promise<ChannelSummary> {
    return this.http.post(`/api/channels/${enc(channelId)}/members`, { userId, entry }, ChannelSummary);
  }
  /** Removes a member or leaves (`entry`: the signed `remove`/`leave`; none in broadcast). */
  async removeMember(channelId: string, userId: string, entry?: LogEntry): Promise<void> {
    const path = `/api/channels/${enc(channelId)}/members/${enc(userId)}`;
    await this.http.delete(path, Ignored, entry === undefined ? undefined : { entry });
  }
  /** A page of a group's signed membership log from index `from`. */
  membershipLog(channelId: string, from = 0) {
    return this.http.get(`/api/channels/${enc(channelId)}/log`, LogResponse, { from });
  }
  /** The owner of a group made before the log re-signs its members. */
  adoptLog(channelId: string, entries: LogEntry[]): Promise<ChannelSummary> {
    return this.http.post(`/api/channels/${enc(channelId)}/log`, { entries }, ChannelSummary);
  }

  // ---- sender-key shares ----
  async uploadShares(channelId: string, keyId: number, shares: { recipientId: string; sealed: string }[]) {
    await this.http.post(`/api/channels/${enc(channelId)}/shares`, { keyId, shares }, Ignored);
  }
  async shares(channelId: string, filter: { senderId?: string; keyId?: number } = {}) {
    return (await this.http.get(`/api/channels/${enc(channelId)}/shares`, SharesResponse, filter)).shares;
  }

  // ---- messages ----
  send(channelId: string, body: SendBody) {
    return this.http.post(`/api/channels/${enc(channelId)}/messages`, body, SendResponse);
  }
  history(channelId: string, query: HistoryRequest = {}): Promise<HistoryPage> {
    return this.http.get(`/api/channels/${enc(channelId)}/messages`, HistoryResponse, { ...query });
  }
  async deleteMessage(channelId: string, seq: number): Promise<void> {
    await this.http.delete(`/api/channels/${enc(channelId)}/messages/${seq}`, Ignored);
  }
  async markRead(channelId: string, seq: number): Promise<void> {
    await this.http.put(`/api/channels/${enc(channelId)}/read`, { seq }, Ignored);
  }

  // ---- key transparency (public) ----
  ktHead() {
    return this.http.get('/api/kt/head', KtHeadResponse);
  }
  async ktHeads(from: number, limit = 500) {
    return (await this.http.get('/api/kt/heads', KtHeadsResponse, { from, limit })).heads;
  }
  ktLookup(userId: string, epoch?: number) {
    return this.http.get(
      `/api/kt/lookup/${enc(userId)}`,
      KtLookupResponse,
      epoch === undefined ? {} : { epoch },
    );
  }
  ktChanges(epoch: number) {
    return this.http.get('/api/kt/changes', KtChangesResponse, { epoch });
  }

  // ---- admin ----
  async adminUsers() {
    return (await this.http.get('/api/admin/users', AdminUsersResponse)).users;
  }
  async adminSetDisabled(userId: string, disabled: boolean): Promise<void> {
    await this.http.post(`/api/admin/users/${enc(userId)}/${disabled ? 'disable' : 'enable'}`, {}, Ignored);
  }
  async adminDeleteUser(userId: string): Promise<void> {
    await this.http.delete(`/api/admin/users/${enc(userId)}`, Ignored);
  }
  adminStats() {
    return this.http.get('/api/admin/stats', StatsResponse);
  }
  adminInvites() {
    return this.http.get('/api/admin/invites', AdminInvitesResponse);
  }
  /** The answer holds the code, once: the relay keeps only its hash. */
  adminCreateInvite(body: Out<typeof CreateInviteBody>) {
    return this.http.post('/api/admin/invites', body, CreateInviteResponse);
  }
  async adminRevokeInvite(inviteId: string): Promise<void> {
    await this.http.post(`/api/admin/invites/${enc(inviteId)}/revoke`, {}, Ignored);
  }
}
