// Lost password: the recovery code opens the second key blob locally; a new password re-wraps the keys.
import { type Component, createMemo, createSignal, Show } from 'solid-js';
import { AuthLayout } from '../components/AuthLayout';
import { PasswordMeter } from '../components/PasswordMeter';
import { PhaseProgress } from '../components/PhaseProgress';
import { passwordStrength } from '../lib/password';
import { errorText } from '../stores/announcer';
import { routeHref } from '../stores/router';
import { useSession } from '../stores/session';

export const RecoverPage: Component = () => {
  const session = useSession();
  const [username, setUsername] = createSignal('');
  const [code, setCode] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);
  const strength = createMemo(() => passwordStrength(password(), [username()]));

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setError(null);
    if (!strength().acceptable) {
      setError('Choose a stronger new password.');
      return;
    }
    try {
      await session.recover({ username: username().trim(), code: code().trim(), newPassword: password() });
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <AuthLayout title="Recover your account" tagline="Use the recovery code you saved when you registered.">
      <form onSubmit={submit} novalidate>
        <Show when={error()}>
          <p class="form-error" role="alert">
            {error()}
          </p>
        </Show>
        <div class="field">
          <label for="rec-username">Username</label>
          <input
            id="rec-username"
            class="input"
            autocomplete="username"
            autocapitalize="none"
            value={username()}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="rec-code">Recovery code</label>
          <textarea
            id="rec-code"
            class="input mono"
            rows="3"
            autocomplete="off"
            spellcheck={false}
            value={code()}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="rec-password">New password</label>
          <input
            id="rec-password"
            class="input"
            type="password"
            autocomplete="new-password"
            aria-describedby="rec-strength"
            value={password()}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          <Show when={password().length > 0}>
            <PasswordMeter id="rec-strength" strength={strength()} />
          </Show>
        </div>
        <PhaseProgress phase={session.state.phase} />
        <button
          type="submit"
          class="btn btn-primary btn-block"
          disabled={session.state.busy || !username() || !code() || !password()}
        >
          Recover and log in
        </button>
      </form>
      <p class="auth-switch">
        <a href={routeHref({ name: 'login' })}>Back to log in</a>
      </p>
    </AuthLayout>
  );
};
