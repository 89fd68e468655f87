// Profile: display name and email, avatar (with preview and type/size checks), password change
// (keys re-wrapped under the new password), a new recovery code, and logout.
import { DisplayName, Email } from '@parley/server/protocol';
import { type Component, createMemo, createSignal, Show } from 'solid-js';
import { Avatar } from '../components/Avatar';
import { Dialog } from '../components/Dialog';
import { FormStatus } from '../components/FormStatus';
import { NewPasswordField } from '../components/PasswordField';
import { PhaseProgress } from '../components/PhaseProgress';
import { TextField } from '../components/TextField';
import { Topbar } from '../components/Topbar';
import { type AvatarMime, avatarProblem, sniffImageType } from '../lib/avatar-file';
import { formatBytes } from '../lib/format';
import { AVATAR_MAX_BYTES } from '../lib/limits';
import { passwordStrength } from '../lib/password';
import { announce, errorText, notify } from '../stores/announcer';
import { useChat } from '../stores/chat';
import { type AuthPhase, useSession } from '../stores/session';
import { RecoveryCodeView } from './RecoveryCode';

/**
 * Runs a change to the signed-in user with `busy` set: on success the chat shows the updated user
 * too and `then` runs; a failure is shown through `setError`. Call while setting up a component.
 */
function useMeChange(setBusy: (busy: boolean) => void, setError: (error: string) => void) {
  const session = useSession();
  const chat = useChat();
  return async (change: () => Promise<void>, then: () => void): Promise<void> => {
    setBusy(true);
    try {
      await change();
      const next = session.state.me;
      if (next) chat.setMe(next);
      then();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
}

const ProfileForm: Component = () => {
  const session = useSession();
  const me = () => session.state.me;
  const [name, setName] = createSignal(me()?.displayName ?? '');
  const [email, setEmail] = createSignal(me()?.email ?? '');
  const [error, setError] = createSignal<string | null>(null);
  const [saved, setSaved] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const changeMe = useMeChange(setBusy, setError);

  const nameProblem = () => (DisplayName.safeParse(name()).success ? null : 'Enter 1–64 characters.');
  const emailProblem = () =>
    email().trim() === '' || Email.safeParse(email().trim()).success ? null : 'Enter a valid email address.';

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setSaved(false);
    setError(null);
    if (nameProblem() || emailProblem()) {
      setError('Please fix the highlighted fields.');
      return;
    }
    await changeMe(
      () => session.updateProfile({ displayName: name().trim(), email: email().trim() || null }),
      () => {
        setSaved(true);
        announce('Profile saved.');
      },
    );
  };

  return (
    <section class="section" aria-labelledby="profile-head">
      <h2 id="profile-head">Profile</h2>
      <form onSubmit={submit} novalidate>
        <FormStatus error={error()} ok={saved() ? 'Saved.' : null} />
        <TextField
          id="profile-name"
          label="Display name"
          maxlength={64}
          hint={`Your username is @${me()?.username ?? ''}; it cannot be changed.`}
          problem={nameProblem()}
          value={name()}
          onValue={setName}
        />
        <TextField
          id="profile-email"
          label="Email (optional)"
          type="email"
          autocomplete="email"
          hint="Visible to administrators only."
          problem={emailProblem()}
          value={email()}
          onValue={setEmail}
        />
        <button type="submit" class="btn btn-primary" disabled={busy()}>
          Save profile
        </button>
      </form>
    </section>
  );
};

const AvatarForm: Component = () => {
  const session = useSession();
  let canvas!: HTMLCanvasElement;
  let input!: HTMLInputElement;
  const [file, setFile] = createSignal<{ bytes: Uint8Array; type: AvatarMime; name: string } | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const changeMe = useMeChange(setBusy, setError);
  const me = () => session.state.me;

  const choose = async (f: File | undefined) => {
    setError(null);
    setFile(null);
    if (!f) return;
    const bytes = new Uint8Array(await f.arrayBuffer());
    const problem = avatarProblem(f, bytes.subarray(0, 16));
    // The type the bytes announce, not the browser's guess from the file name (the relay sniffs too).
    const type = sniffImageType(bytes.subarray(0, 16));
    if (problem || !type) {
      setError(problem ?? 'Use a PNG, JPEG, GIF or WebP image.');
      input.value = '';
      return;
    }
    try {
      // Preview on a canvas: no blob: or data: URL needed, and a file that does not decode is refused.
      const bitmap = await createImageBitmap(new Blob([bytes], { type }));
      const size = 192;
      canvas.width = size;
      canvas.height = size;
      const ctx = canvas.getContext('2d');
      const scale = Math.max(size / bitmap.width, size / bitmap.height);
      const w = bitmap.width * scale;
      const h = bitmap.height * scale;
      ctx?.clearRect(0, 0, size, size);
      ctx?.drawImage(bitmap, (size - w) / 2, (size - h) / 2, w, h);
      bitmap.close();
      setFile({ bytes, type, name: f.name });
    } catch {
      setError('This file could not be read as an image.');
      input.value = '';
    }
  };

  const upload = async () => {
    const f = file();
    if (!f) return;
    setError(null);
    await changeMe(
      () => session.uploadAvatar(f.bytes, f.type),
      () => {
        setFile(null);
        input.value = '';
        notify('ok', 'Avatar updated.');
      },
    );
  };

  const remove = () =>
    changeMe(
      () => session.removeAvatar(),
      () => notify('ok', 'Avatar removed.'),
    );

  return (
    <section class="section" aria-labelledby="avatar-head">
      <h2 id="avatar-head">Avatar</h2>
      <div class="profile-avatar">
        <Show
          when={file()}
          fallback={
            <Avatar
              userId={me()?.id ?? ''}
              name={me()?.displayName ?? ''}
              src={session.avatarUrl(me()?.id ?? '', me()?.avatarVersion ?? null)}
              size="xl"
            />
          }
        >
          <span class="visually-hidden">Preview of the new avatar</span>
        </Show>
        <canvas
          ref={canvas}
          class="avatar-preview"
          hidden={!file()}
          role="img"
          aria-label="Preview of the new avatar"
          data-testid="avatar-preview"
        />
        <div>
          <div class="field">
            <label for="avatar-file">Choose an image</label>
            <input
              ref={input}
              id="avatar-file"
              type="file"
              accept="image/png,image/jpeg,image/gif,image/webp"
              aria-describedby="avatar-hint"
              aria-invalid={error() ? 'true' : 'false'}
              onChange={(e) => void choose(e.currentTarget.files?.[0])}
            />
            <p id="avatar-hint" class={error() ? 'field-error' : 'hint'} role={error() ? 'alert' : undefined}>
              {error() ??
                `PNG, JPEG, GIF or WebP, up to ${formatBytes(AVATAR_MAX_BYTES)}. Avatars are not encrypted.`}
            </p>
          </div>
          <div class="row">
            <button
              type="button"
              class="btn btn-primary"
              disabled={!file() || busy()}
              onClick={() => void upload()}
            >
              Upload avatar
            </button>
            <Show when={me()?.avatarVersion !== null && !file()}>
              <button type="button" class="btn" disabled={busy()} onClick={() => void remove()}>
                Remove
              </button>
            </Show>
          </div>
        </div>
      </div>
    </section>
  );
};

const PasswordForm: Component = () => {
  const session = useSession();
  const [oldPw, setOldPw] = createSignal('');
  const [newPw, setNewPw] = createSignal('');
  const [confirm, setConfirm] = createSignal('');
  const [phase, setPhase] = createSignal<AuthPhase>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [done, setDone] = createSignal(false);
  const strength = createMemo(() => passwordStrength(newPw(), [session.state.me?.username ?? '']));

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    if (!strength().acceptable) return setError('Choose a stronger new password.');
    if (newPw() !== confirm()) return setError('The new passwords do not match.');
    try {
      setPhase('relay');
      await session.changePassword(oldPw(), newPw(), setPhase);
      setOldPw('');
      setNewPw('');
      setConfirm('');
      setDone(true);
      announce('Password changed. Your other sessions were logged out.');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setPhase(null);
    }
  };

  return (
    <section class="section" aria-labelledby="password-head">
      <h2 id="password-head">Change password</h2>
      <p class="hint">
        Your keys are re-wrapped under the new password in this browser; other sessions are logged out.
      </p>
      <form onSubmit={submit} novalidate>
        <FormStatus error={error()} ok={done() ? 'Password changed.' : null} />
        <input
          type="text"
          name="username"
          autocomplete="username"
          value={session.state.me?.username ?? ''}
          hidden
          readOnly
        />
        <TextField
          id="pw-old"
          label="Current password"
          type="password"
          autocomplete="current-password"
          value={oldPw()}
          onValue={setOldPw}
        />
        <NewPasswordField
          id="pw-new"
          label="New password"
          meterId="pw-strength"
          strength={strength()}
          value={newPw()}
          onValue={setNewPw}
        />
        <TextField
          id="pw-confirm"
          label="Repeat new password"
          type="password"
          autocomplete="new-password"
          value={confirm()}
          onValue={setConfirm}
        />
        <PhaseProgress phase={phase()} />
        <button type="submit" class="btn btn-primary" disabled={phase() !== null || !oldPw() || !newPw()}>
          Change password
        </button>
      </form>
    </section>
  );
};

export const ProfilePage: Component = () => {
  const session = useSession();
  const [busy, setBusy] = createSignal(false);
  const [code, setCode] = createSignal<string | null>(null);

  const newCode = async () => {
    setBusy(true);
    try {
      setCode(await session.newRecoveryCode());
    } catch (err) {
      notify('error', errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Topbar title="Your profile" />
      <div class="page">
        <div class="page-narrow">
          <ProfileForm />
          <AvatarForm />
          <PasswordForm />
          <section class="section" aria-labelledby="recovery-head">
            <h2 id="recovery-head">Recovery code</h2>
            <p class="hint">
              {session.state.me?.hasRecovery
                ? 'You have a recovery code. Making a new one replaces the old one.'
                : 'You have no recovery code. Without one, a forgotten password means a lost account.'}
            </p>
            <button type="button" class="btn" disabled={busy()} onClick={() => void newCode()}>
              Make a new recovery code
            </button>
          </section>
          <Dialog open={code() !== null} title="Your new recovery code" onClose={() => setCode(null)}>
            <RecoveryCodeView
              code={code() ?? ''}
              username={session.state.me?.username ?? ''}
              onDone={() => setCode(null)}
              doneLabel="Done"
            />
          </Dialog>
          <section class="section">
            <h2>Log out</h2>
            <p class="hint">Logging out removes your keys from this browser.</p>
            <button type="button" class="btn btn-danger" onClick={() => void session.logout()}>
              Log out
            </button>
          </section>
        </div>
      </div>
    </>
  );
};
