// Log in: the password is turned into authKey + wrapKey in a worker; only authKey goes to the relay.
import { type Component, createSignal } from 'solid-js';
import { AccountSubmit } from '../components/AccountSubmit';
import { AuthLayout } from '../components/AuthLayout';
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
        New here? <a href={routeHref({ name: 'register' })}>Create an account</a>
        <br />
        Forgot your password? <a href={routeHref({ name: 'recover' })}>Use your recovery code</a>
      </p>
    </AuthLayout>
  );
};
