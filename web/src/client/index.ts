// Public surface of the protocol client: framework-free, the only code that talks to the relay
// and crypto-core. The same code runs in the browser and in Node, because fetch and the WebSocket
// constructor are injected:
//
//   const client = createClient({ baseUrl: location.origin, fetch: fetch.bind(globalThis), WebSocket });
//   await client.login({ username, password, onProgress });   // keys unwrapped locally
//   client.connect();                                          // live delivery, sync, reconnects
//   client.events.on('message', render);                       // decrypted MessageView
//   await client.send(channelId, 'hello');                     // seals keys, retries as needed

export type { ChannelSummary, Me, PublicUser, WireMessage } from '@parley/server/protocol';
export {
  type AccountStep,
  type DeriveFn,
  type KdfChange,
  KdfChangeRefusedError,
  type KdfMemory,
  type KdfRecord,
  type ProgressFn,
  preloadCrypto,
  type Session,
} from './account';
export type { AlertKind, ChannelAlert } from './alerts';
export { Api, type HistoryRequest, type RegisterRequest, type SessionAnswer } from './api';
export { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff';
export type { Contact, KeyChangeEvent, KeyLogStatus, SafetyNumber } from './contacts';
export type { EditVersion } from './edits';
export {
  ApiError,
  ClosedError,
  KeyChangeBlockedError,
  LockedError,
  MessageTooLargeError,
  ProtocolError,
  TimeoutError,
  TrustError,
  TrustUnknownError,
} from './errors';
export type { FetchLike } from './http';
export { type ContactCheck, KeyTransparency, type KtHeadRef, type KtState } from './kt';
export { type AuditResult, type AuditState, auditKeyLog } from './kt-audit';
export { type MentionToken, mentionedIds, mentionTokens, resolveMention } from './mentions';
export type { MessageStatus, MessageView, PayloadBody, SendResult } from './messages';
export {
  type ClientEvents,
  type ClientOptions,
  createClient,
  type MentionCandidate,
  ParleyClient,
  type SendOptions,
  type VerifiedMember,
} from './parley-client';
export {
  collectReactions,
  isReactionEmoji,
  REACTION_EMOJI,
  type ReactionEmoji,
  type ReactionSummary,
  toggledOn,
} from './reactions';
export { enrichTimeline, type ReplyPreview } from './rich-timeline';
export type { ConnectionEvent, ConnectionState, WebSocketCtor, WebSocketLike } from './socket';
export { Timeline } from './timeline';
export { type IntegrityFlag, MAX_CLOCK_SKEW_MS } from './timeline-integrity';
