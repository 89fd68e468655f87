// Log in: the password is turned into authKey + wrapKey in a worker; only authKey goes to the relay.
import { type Component, createSignal } from 'solid-js';
import type { KdfChange } from '../client';
import { AccountSubmit } from '../components/AccountSubmit';
import { AuthLayout } from '../components/AuthLayout';
import { ConfirmDialog } from '../components/Dialog';
import { FormStatus } from '../components/FormStatus';
import { TextField, UsernameField } from '../components/TextField';
import { errorText } from '../stores/announcer';
import { routeHref } from '../stores/router';
import { useSession } from '../stores/session';

export const LoginPage: Component = () => {
  const session = useSession();
  const [username, setUsername] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await session.login(username().trim(), password());
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <AuthLayout title="Log in to Parley" tagline="End-to-end encrypted conversations.">
      <form onSubmit={submit} novalidate aria-describedby={error() ? 'login-error' : undefined}>
        <FormStatus error={session.state.endedReason} />
        <FormStatus error={error()} errorId="login-error" />
        <UsernameField id="login-username" value={username()} onValue={setUsername} />
        <TextField
          id="login-password"
          label="Password"
          type="password"
          name="password"
          autocomplete="current-password"
          required
          value={password()}
          onValue={setPassword}
        />
        <AccountSubmit label="Log in" busyLabel="Logging in…" incomplete={!username() || !password()} />
      </form>
      <p class="auth-switch">
        New here? <a href={routeHref({ name: 'register', invite: null })}>Create an account</a>
        <br />
        Forgot your password? <a href={routeHref({ name: 'recover' })}>Use your recovery code</a>
      </p>
      <ConfirmDialog
        open={session.state.kdfPrompt !== null}
        title="Your password settings changed on the server"
        message={kdfWarning(session.state.kdfPrompt)}
        confirmLabel="Log in anyway"
        danger
        onCancel={() => session.answerKdfPrompt(false)}
        onConfirm={() => session.answerKdfPrompt(true)}
      />
    </AuthLayout>
  );
};

/** Why the login paused: weaker hashing, or a salt that changed without a change made here. */
function kdfWarning(change: KdfChange | null): string {
  if (!change) return '';
  const risk =
    'A server that did this could be trying to make your password cheaper to guess. Stop unless you know why.';
  if (change.weaker) {
    return `The server asks this browser to hash your password more weakly than last time (${change.offered.kdf.opslimit} passes and ${Math.round(change.offered.kdf.memlimit / 1048576)} MiB, before ${change.previous.kdf.opslimit} and ${Math.round(change.previous.kdf.memlimit / 1048576)} MiB). ${risk}`;
  }
  return `The server shows another password salt than the last time you logged in here, and no password change was made in this browser. If you changed your password elsewhere, that explains it. ${risk}`;
}
