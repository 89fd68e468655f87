// Lost password: the recovery code opens the second key blob locally; a new password re-wraps the keys.
import { type Component, createMemo, createSignal } from 'solid-js';
import { AccountSubmit } from '../components/AccountSubmit';
import { AuthLayout } from '../components/AuthLayout';
import { FormStatus } from '../components/FormStatus';
import { NewPasswordField } from '../components/PasswordField';
import { TextField } from '../components/TextField';
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
        <FormStatus error={error()} />
        <TextField
          id="rec-username"
          label="Username"
          autocomplete="username"
          autocapitalize="none"
          value={username()}
          onValue={setUsername}
        />
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
        <NewPasswordField
          id="rec-password"
          label="New password"
          meterId="rec-strength"
          strength={strength()}
          value={password()}
          onValue={setPassword}
        />
        <AccountSubmit label="Recover and log in" incomplete={!username() || !code() || !password()} />
      </form>
      <p class="auth-switch">
        <a href={routeHref({ name: 'login' })}>Back to log in</a>
      </p>
    </AuthLayout>
  );
};
