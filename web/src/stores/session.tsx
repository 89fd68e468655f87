// The signed-in state: who we are, the ParleyClient that holds the unlocked keys, and the account
// actions (register, login, recover, logout, password and profile changes). Unlocked keys are kept
// across reloads in the IndexedDB vault (non-extractable AES-GCM key) and wiped at logout.
import { CloseCode, type Me } from '@parley/server/protocol';
import { createContext, type JSX, onCleanup, useContext } from 'solid-js';
import { createStore } from 'solid-js/store';
import {
  type AccountStep,
  ApiError,
  createClient,
  type KdfChange,
  type ParleyClient,
  type WebSocketCtor,
} from '../client';
import { deriveInWorker } from '../lib/kdf';
import {
  isRecoveryUnconfirmed,
  kdfMemory,
  loadPinsVersion,
  loadUnlocked,
  savePinsVersion,
  saveUnlocked,
  setRecoveryUnconfirmed,
  wipeVault,
} from '../lib/vault';
import { clearToasts } from './announcer';
import { navigate } from './router';

export type AuthPhase = AccountStep | null;

export interface SessionState {
  status: 'restoring' | 'signed-out' | 'ready';
  me: Me | null;
  /** Progress of the running account operation. */
  phase: AuthPhase;
  busy: boolean;
  /** Shown once after registration, until the user confirms they saved it. */
  recoveryCode: string | null;
  /**
   * A recovery code was made but its saving was never confirmed (e.g. the page was reloaded while
   * it was shown): the code is gone, so the app offers to make a new one before opening.
   */
  recoveryUnconfirmed: boolean;
  /** Why the last session ended when it was not the user's doing. */
  endedReason: string | null;
  /** The relay's salt or KDF parameters changed since this browser last logged in: ask first. */
  kdfPrompt: KdfChange | null;
}

export interface SessionActions {
  readonly state: SessionState;
  client(): ParleyClient;
  register(input: {
    username: string;
    password: string;
    displayName?: string;
    invite?: string;
  }): Promise<void>;
  login(username: string, password: string): Promise<void>;
  recover(input: { username: string; code: string; newPassword: string }): Promise<void>;
  confirmRecoverySaved(): void;
  /** Makes a new recovery code (replacing the old); the caller shows it once. */
  newRecoveryCode(): Promise<string>;
  /** Replaces a code whose saving was never confirmed with a new one, shown like after registration. */
  replaceUnconfirmedRecoveryCode(): Promise<void>;
  /** Opens the app without a new code for now; the next reload or login asks again. */
  postponeRecoveryCode(): void;
  logout(): Promise<void>;
  changePassword(oldPassword: string, newPassword: string, onPhase?: (p: AuthPhase) => void): Promise<void>;
  updateProfile(patch: { displayName?: string; email?: string | null }): Promise<void>;
  uploadAvatar(bytes: Uint8Array, mime: string): Promise<void>;
  removeAvatar(): Promise<void>;
  avatarUrl(userId: string, version: number | null): string | null;
  /** Ends the session locally after the relay said it is over (401, disabled account). */
  sessionEnded(reason: string): void;
  /** The user's answer to `kdfPrompt`: go on deriving, or stop the login. */
  answerKdfPrompt(proceed: boolean): void;
}

const SessionContext = createContext<SessionActions>();

function newClient(pinsVersion: number, confirmKdfChange: (c: KdfChange) => Promise<boolean>): ParleyClient {
  return createClient({
    baseUrl: location.origin,
    fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin' }),
    WebSocket: WebSocket as unknown as WebSocketCtor,
    derive: deriveInWorker,
    pinsVersion,
    kdfMemory,
    confirmKdfChange,
  });
}

export const SESSION_ENDED_TEXT = 'Your session has ended. Please log in again.';
const ACCOUNT_CLOSED_TEXT = 'You were logged out: an administrator disabled this account.';

/** Friendlier words for the relay's refusals on the account screens. */
function accountErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'invalid_credentials':
        return 'Wrong username or password.';
      case 'username_taken':
        return 'That username is taken. Try another.';
      case 'account_disabled':
        return 'This account has been disabled by an administrator.';
      case 'rate_limited':
        return 'Too many attempts. Wait a moment and try again.';
      default:
        return err.message;
    }
  }
  if (err instanceof TypeError) return 'Could not reach the server. Check your connection.';
  return err instanceof Error ? err.message : 'Something went wrong.';
}

export function SessionProvider(props: { children: JSX.Element }): JSX.Element {
  const [state, setState] = createStore<SessionState>({
    status: 'restoring',
    me: null,
    phase: null,
    busy: false,
    recoveryCode: null,
    recoveryUnconfirmed: false,
    endedReason: null,
    kdfPrompt: null,
  });
  let answerKdf: ((proceed: boolean) => void) | null = null;
  const askKdfChange = (change: KdfChange) =>
    new Promise<boolean>((resolve) => {
      answerKdf = resolve;
      setState('kdfPrompt', change);
    });
  const newClientHere = (pinsVersion: number) => newClient(pinsVersion, askKdfChange);
  let client: ParleyClient = newClientHere(0);
  let offEnded: (() => void) | null = null;
  let offContacts: (() => void) | null = null;
  let offConnection: (() => void) | null = null;
  /** The relay closed the socket because the account was disabled or deleted (close code 4003). */
  let accountClosed = false;
  const unlisten = () => {
    offEnded?.();
    offContacts?.();
    offConnection?.();
    offEnded = offContacts = offConnection = null;
  };

  const persist = async () => {
    const me = client.user;
    if (!me) return;
    const id = client.session.identity;
    await saveUnlocked(me.id, {
      signPk: id.signPk,
      signSk: id.signSk,
      boxPk: id.boxPk,
      boxSk: id.boxSk,
      username: new TextEncoder().encode(me.username),
    });
  };

  const adopt = async (me: Me) => {
    unlisten();
    accountClosed = false;
    offEnded = client.events.on('sessionEnded', (e) => {
      if (e.accountClosed) accountClosed = true;
      actions.sessionEnded(SESSION_ENDED_TEXT);
    });
    offContacts = client.events.on('contacts', () => {
      void savePinsVersion(me.username, client.pinsVersion).catch(() => {});
    });
    // Whichever notices the end first (the socket's probe or a refused request), a 4003 close
    // means the account was closed, and that is what the login page should say.
    offConnection = client.events.on('connection', (c) => {
      if (c.code === CloseCode.accountClosed) accountClosed = true;
    });
    const unconfirmed = await isRecoveryUnconfirmed(me.id).catch(() => false);
    setState({
      status: 'ready',
      me,
      phase: null,
      busy: false,
      endedReason: null,
      recoveryUnconfirmed: unconfirmed && state.recoveryCode === null,
    });
    client.connect();
  };

  /** Runs an account operation with progress; clears busy on failure and rethrows a readable error. */
  const run = async <T,>(fn: (onProgress: (s: AccountStep) => void) => Promise<T>): Promise<T> => {
    setState({ busy: true, phase: null, endedReason: null });
    try {
      return await fn((s) => setState('phase', s));
    } catch (err) {
      setState({ busy: false, phase: null });
      throw new Error(accountErrorText(err));
    }
  };

  /** Forgets the account on this page (its keys are wiped by the caller) and shows the login page. */
  const signedOut = (endedReason: string | null) => {
    clearToasts();
    setState({
      status: 'signed-out',
      me: null,
      phase: null,
      busy: false,
      recoveryCode: null,
      recoveryUnconfirmed: false,
      endedReason,
    });
    navigate({ name: 'login' }, { replace: true });
  };

  const actions: SessionActions = {
    state,
    client: () => client,

    answerKdfPrompt(proceed) {
      setState('kdfPrompt', null);
      answerKdf?.(proceed);
      answerKdf = null;
    },

    async register(input) {
      await run(async (onProgress) => {
        client.lock();
        client = newClientHere(0);
        const { user, recoveryCode } = await client.register({ ...input, withRecovery: true, onProgress });
        // Recorded before the keys are kept for reload: a reload before "I saved it" must not
        // open the app as if the (now lost) code had been saved.
        if (recoveryCode) await setRecoveryUnconfirmed(user.id, true).catch(() => {});
        await persist().catch(() => {});
        setState('recoveryCode', recoveryCode);
        await adopt(user);
      });
      navigate({ name: 'home' }, { replace: true });
    },

    async login(username, password) {
      await run(async (onProgress) => {
        client.lock();
        client = newClientHere(await loadPinsVersion(username.toLowerCase()).catch(() => 0));
        const me = await client.login({ username, password, onProgress });
        await persist().catch(() => {});
        await adopt(me);
      });
      navigate({ name: 'home' }, { replace: true });
    },

    async recover(input) {
      await run(async (onProgress) => {
        client.lock();
        client = newClientHere(await loadPinsVersion(input.username.toLowerCase()).catch(() => 0));
        const me = await client.recoverWithCode({ ...input, onProgress });
        await persist().catch(() => {});
        await adopt(me);
      });
      navigate({ name: 'home' }, { replace: true });
    },

    confirmRecoverySaved() {
      const me = state.me;
      setState({ recoveryCode: null, recoveryUnconfirmed: false });
      if (me) void setRecoveryUnconfirmed(me.id, false).catch(() => {});
    },

    async newRecoveryCode() {
      const code = await client.setRecovery();
      setState('me', await client.api.me());
      return code;
    },

    async replaceUnconfirmedRecoveryCode() {
      try {
        const code = await actions.newRecoveryCode();
        setState('recoveryCode', code);
      } catch (err) {
        throw new Error(accountErrorText(err));
      }
    },

    postponeRecoveryCode() {
      setState('recoveryUnconfirmed', false);
    },

    async logout() {
      try {
        await client.logout();
      } catch {
        // The relay may be gone or the session already over: the local wipe below is what matters.
      }
      await wipeVault().catch(() => {});
      unlisten();
      signedOut(null);
    },

    async changePassword(oldPassword, newPassword, onPhase) {
      try {
        await client.changePassword({ oldPassword, newPassword, onProgress: (s) => onPhase?.(s) });
      } catch (err) {
        throw new Error(accountErrorText(err));
      } finally {
        onPhase?.(null);
      }
    },

    async updateProfile(patch) {
      const me = await client.api.updateProfile(patch);
      setState('me', me);
    },

    async uploadAvatar(bytes, mime) {
      await client.api.uploadAvatar(bytes, mime);
      setState('me', await client.api.me());
    },

    async removeAvatar() {
      await client.api.deleteAvatar();
      setState('me', await client.api.me());
    },

    avatarUrl(userId, version) {
      return version === null ? null : client.api.avatarPath(userId, version);
    },

    sessionEnded(reason) {
      if (state.status !== 'ready') return;
      client.lock();
      unlisten();
      void wipeVault().catch(() => {});
      signedOut(accountClosed ? ACCOUNT_CLOSED_TEXT : reason);
    },
  };

  // Restore: keys from the vault + a live session cookie = unlocked without the password.
  void (async () => {
    let saved: Awaited<ReturnType<typeof loadUnlocked>> = null;
    try {
      saved = await loadUnlocked();
    } catch {
      saved = null;
    }
    if (!saved) {
      setState('status', 'signed-out');
      return;
    }
    const { signPk, signSk, boxPk, boxSk, username } = saved.secrets;
    if (!signPk || !signSk || !boxPk || !boxSk || !username) {
      await wipeVault().catch(() => {});
      setState('status', 'signed-out');
      return;
    }
    try {
      const name = new TextDecoder().decode(username);
      client = newClientHere(await loadPinsVersion(name).catch(() => 0));
      const me = await client.resume({ signPk, signSk, boxPk, boxSk });
      if (me.id !== saved.userId) throw new Error('vault: keys of another user');
      await adopt(me);
    } catch (err) {
      client.lock();
      const reachable = !(err instanceof TypeError);
      if (reachable) await wipeVault().catch(() => {});
      setState({
        status: 'signed-out',
        endedReason: reachable ? null : 'Could not reach the server. Reload to try again.',
      });
    }
  })();

  onCleanup(() => client.lock());

  return <SessionContext.Provider value={actions}>{props.children}</SessionContext.Provider>;
}

export function useSession(): SessionActions {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession: no SessionProvider');
  return ctx;
}
