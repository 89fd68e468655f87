// Log in: the password is turned into authKey + wrapKey in a worker; only authKey goes to the relay.
import { type Component, createSignal, Show } from 'solid-js';
import { AuthLayout } from '../components/AuthLayout';
import { PhaseProgress } from '../components/PhaseProgress';
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
        <Show when={session.state.endedReason}>
          <p class="form-error" role="alert">
            {session.state.endedReason}
          </p>
        </Show>
        <Show when={error()}>
          <p class="form-error" id="login-error" role="alert">
            {error()}
          </p>
        </Show>
        <div class="field">
          <label for="login-username">Username</label>
          <input
            id="login-username"
            class="input"
            name="username"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            required
            value={username()}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="login-password">Password</label>
          <input
            id="login-password"
            class="input"
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password()}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        <PhaseProgress phase={session.state.phase} />
        <button
          type="submit"
          class="btn btn-primary btn-block"
          disabled={session.state.busy || !username() || !password()}
        >
          {session.state.busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p class="auth-switch">
        New here? <a href={routeHref({ name: 'register' })}>Create an account</a>
        <br />
        Forgot your password? <a href={routeHref({ name: 'recover' })}>Use your recovery code</a>
      </p>
    </AuthLayout>
  );
};
