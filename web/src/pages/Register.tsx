// Create an account: username rules checked as you type (the protocol's own schema), password
// strength feedback, and key derivation progress. A recovery code is made and shown once after.
import { DisplayName, Username } from '@parley/server/protocol';
import { type Component, createMemo, createSignal } from 'solid-js';
import { AccountSubmit } from '../components/AccountSubmit';
import { AuthLayout } from '../components/AuthLayout';
import { FormStatus } from '../components/FormStatus';
import { NewPasswordField } from '../components/PasswordField';
import { TextField, UsernameField } from '../components/TextField';
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
        <FormStatus error={error()} />
        <UsernameField
          id="reg-username"
          maxlength={32}
          hint="3–32 characters: a–z, 0–9, dot, underscore, hyphen. Not case-sensitive."
          problem={nameProblem()}
          value={username()}
          onValue={setUsername}
        />
        <TextField
          id="reg-display"
          label="Display name (optional)"
          name="displayName"
          autocomplete="nickname"
          maxlength={64}
          hint="What others see. Visible to the server."
          problem={displayProblem()}
          value={displayName()}
          onValue={setDisplayName}
        />
        <NewPasswordField
          id="reg-password"
          label="Password"
          name="new-password"
          required
          aria-invalid={touched() && !strength().acceptable ? 'true' : 'false'}
          meterId="reg-strength"
          strength={strength()}
          value={password()}
          onValue={setPassword}
        />
        <TextField
          id="reg-confirm"
          label="Repeat password"
          type="password"
          name="confirm-password"
          autocomplete="new-password"
          required
          hint="There is no password reset without your recovery code."
          problem={mismatch() ? 'The passwords do not match.' : null}
          value={confirm()}
          onValue={setConfirm}
        />
        <AccountSubmit label="Create account" busyLabel="Creating your keys…" />
      </form>
      <p class="auth-switch">
        Already have an account? <a href={routeHref({ name: 'login' })}>Log in</a>
      </p>
    </AuthLayout>
  );
};
