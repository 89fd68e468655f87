// Create an account: username rules checked as you type (the protocol's own schema), password
// strength feedback, and key derivation progress. A recovery code is made and shown once after.
import { DisplayName, Username } from '@parley/server/protocol';
import { type Component, createMemo, createSignal, Show } from 'solid-js';
import { AuthLayout } from '../components/AuthLayout';
import { PasswordMeter } from '../components/PasswordMeter';
import { PhaseProgress } from '../components/PhaseProgress';
import { passwordStrength } from '../lib/password';
import { errorText } from '../stores/announcer';
import { routeHref } from '../stores/router';
import { useSession } from '../stores/session';

export function usernameProblem(value: string): string | null {
  if (value.length === 0) return null;
  const r = Username.safeParse(value);
  if (r.success) return null;
  if (value.length < 3) return 'At least 3 characters.';
  if (value.length > 32) return 'At most 32 characters.';
  return 'Use only letters a–z, digits, dot, underscore and hyphen.';
}

export const RegisterPage: Component = () => {
  const session = useSession();
  const [username, setUsername] = createSignal('');
  const [displayName, setDisplayName] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [confirm, setConfirm] = createSignal('');
  const [touched, setTouched] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const strength = createMemo(() => passwordStrength(password(), [username(), displayName()]));
  const nameProblem = createMemo(() => usernameProblem(username().trim()));
  const displayProblem = createMemo(() =>
    displayName().trim() === '' || DisplayName.safeParse(displayName()).success
      ? null
      : 'At most 64 characters.',
  );
  const mismatch = createMemo(() => confirm().length > 0 && confirm() !== password());
  const canSubmit = createMemo(
    () =>
      !session.state.busy &&
      username().trim().length > 0 &&
      !nameProblem() &&
      !displayProblem() &&
      strength().acceptable &&
      confirm() === password(),
  );

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setTouched(true);
    setError(null);
    if (!canSubmit()) {
      setError('Please fix the highlighted fields.');
      return;
    }
    try {
      const name = displayName().trim();
      await session.register({
        username: username().trim(),
        password: password(),
        ...(name ? { displayName: name } : {}),
      });
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <AuthLayout
      title="Create your account"
      tagline="Your password unlocks your keys. It never leaves this browser."
    >
      <form onSubmit={submit} novalidate>
        <Show when={error()}>
          <p class="form-error" role="alert">
            {error()}
          </p>
        </Show>
        <div class="field">
          <label for="reg-username">Username</label>
          <input
            id="reg-username"
            class="input"
            name="username"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            required
            maxlength={32}
            aria-invalid={nameProblem() ? 'true' : 'false'}
            aria-describedby="reg-username-hint"
            value={username()}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
          <p id="reg-username-hint" class={nameProblem() ? 'field-error' : 'hint'}>
            {nameProblem() ?? '3–32 characters: a–z, 0–9, dot, underscore, hyphen. Not case-sensitive.'}
          </p>
        </div>
        <div class="field">
          <label for="reg-display">Display name (optional)</label>
          <input
            id="reg-display"
            class="input"
            name="displayName"
            autocomplete="nickname"
            maxlength={64}
            aria-invalid={displayProblem() ? 'true' : 'false'}
            aria-describedby="reg-display-hint"
            value={displayName()}
            onInput={(e) => setDisplayName(e.currentTarget.value)}
          />
          <p id="reg-display-hint" class={displayProblem() ? 'field-error' : 'hint'}>
            {displayProblem() ?? 'What others see. Visible to the server.'}
          </p>
        </div>
        <div class="field">
          <label for="reg-password">Password</label>
          <input
            id="reg-password"
            class="input"
            type="password"
            name="new-password"
            autocomplete="new-password"
            required
            aria-invalid={touched() && !strength().acceptable ? 'true' : 'false'}
            aria-describedby="reg-strength"
            value={password()}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          <Show when={password().length > 0}>
            <PasswordMeter id="reg-strength" strength={strength()} />
          </Show>
        </div>
        <div class="field">
          <label for="reg-confirm">Repeat password</label>
          <input
            id="reg-confirm"
            class="input"
            type="password"
            name="confirm-password"
            autocomplete="new-password"
            required
            aria-invalid={mismatch() ? 'true' : 'false'}
            aria-describedby="reg-confirm-hint"
            value={confirm()}
            onInput={(e) => setConfirm(e.currentTarget.value)}
          />
          <p id="reg-confirm-hint" class={mismatch() ? 'field-error' : 'hint'}>
            {mismatch()
              ? 'The passwords do not match.'
              : 'There is no password reset without your recovery code.'}
          </p>
        </div>
        <PhaseProgress phase={session.state.phase} />
        <button type="submit" class="btn btn-primary btn-block" disabled={session.state.busy}>
          {session.state.busy ? 'Creating your keys…' : 'Create account'}
        </button>
      </form>
      <p class="auth-switch">
        Already have an account? <a href={routeHref({ name: 'login' })}>Log in</a>
      </p>
    </AuthLayout>
  );
};
