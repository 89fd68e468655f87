// Create an account: username rules checked as you type (the protocol's own schema), password
// strength feedback, and key derivation progress. A recovery code is made and shown once after.
// The relay's REGISTRATION mode and the link's invite code decide whether the form is offered
// (lib/registration-notice.ts); the code goes with the registration.
import { DisplayName, InviteCode, type RegistrationResponse, Username } from '@parley/server/protocol';
import { type Component, createEffect, createMemo, createSignal, on, Show } from 'solid-js';
import { AccountSubmit } from '../components/AccountSubmit';
import { AuthLayout } from '../components/AuthLayout';
import { FormStatus } from '../components/FormStatus';
import { NewPasswordField } from '../components/PasswordField';
import { TextField, UsernameField } from '../components/TextField';
import { formatDateTime, viewerTimeZone } from '../lib/format';
import { passwordStrength } from '../lib/password';
import { registrationPlan } from '../lib/registration-notice';
import { errorText } from '../stores/announcer';
import { route, routeHref } from '../stores/router';
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
  const [info, setInfo] = createSignal<RegistrationResponse | null>(null);

  const code = createMemo(() => {
    const r = route();
    return r.name === 'register' ? r.invite : null;
  });
  // A malformed code is not asked about: it is no invite the relay made.
  createEffect(
    on(code, async (c) => {
      setInfo(null);
      const wellFormed = c !== null && InviteCode.safeParse(c).success;
      try {
        const answer = await session.client().api.registration(wellFormed ? c : undefined);
        const unknown = { status: 'unknown' as const, username: null, role: null, expiresAt: null };
        setInfo(c !== null && !wellFormed ? { ...answer, invite: unknown } : answer);
      } catch (err) {
        // Offer the form; the relay says at submit time what it refuses.
        setError(`Could not ask the server how it registers: ${errorText(err)}`);
        setInfo({ mode: 'open', invite: null });
      }
    }),
  );
  const plan = createMemo(() => {
    const i = info();
    return i === null ? null : registrationPlan(i, code());
  });
  createEffect(() => {
    const bound = plan()?.username;
    if (bound) setUsername(bound);
  });

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
      const invite = plan()?.sendInvite ? code() : null;
      await session.register({
        username: username().trim(),
        password: password(),
        ...(name ? { displayName: name } : {}),
        ...(invite ? { invite } : {}),
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
      <Show when={plan()} fallback={<div class="spinner" role="status" aria-label="Loading" />}>
        {(p) => (
          <>
            <Show when={p().notice}>
              {(n) => (
                <div
                  class={`banner banner-inline ${n().tone === 'danger' ? 'banner-danger' : 'banner-info'}`}
                  role={n().tone === 'danger' ? 'alert' : 'status'}
                  data-testid="registration-notice"
                >
                  <div class="banner-body">
                    <p>
                      <strong>{n().title}.</strong> {n().text}
                    </p>
                    <Show when={p().expiresAt}>
                      {(at) => <p class="hint">Expires {formatDateTime(at(), viewerTimeZone())}.</p>}
                    </Show>
                  </div>
                </div>
              )}
            </Show>
            <Show when={p().formOpen}>{form(p().username)}</Show>
          </>
        )}
      </Show>
      <p class="auth-switch">
        Already have an account? <a href={routeHref({ name: 'login' })}>Log in</a>
      </p>
    </AuthLayout>
  );

  function form(boundUsername: string | null) {
    return (
      <form onSubmit={submit} novalidate>
        <FormStatus error={error()} />
        <UsernameField
          id="reg-username"
          maxlength={32}
          readonly={boundUsername !== null}
          hint={
            boundUsername !== null
              ? 'The invite is for this username.'
              : '3–32 characters: a–z, 0–9, dot, underscore, hyphen. Not case-sensitive.'
          }
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
    );
  }
};
