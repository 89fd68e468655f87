// Shown exactly once after registration (or after making a new code): the recovery code, with
// copy and download, and an explicit "I saved it" before the app opens.
import { type Component, createSignal, Show } from 'solid-js';
import { AuthLayout } from '../components/AuthLayout';
import { FormStatus } from '../components/FormStatus';
import { announce } from '../stores/announcer';

interface RecoveryCodeProps {
  code: string;
  username: string;
  onDone: () => void;
}

/** The code with copy / download and the "I saved it" confirmation. */
export const RecoveryCodeView: Component<RecoveryCodeProps & { doneLabel: string }> = (props) => {
  const [saved, setSaved] = createSignal(false);
  const [copied, setCopied] = createSignal(false);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.code);
      setCopied(true);
      announce('Recovery code copied to the clipboard.');
    } catch {
      announce('Copying failed; select the code and copy it by hand.', true);
    }
  };

  const download = () => {
    const text = [
      'Parley recovery code',
      `Account: ${props.username}`,
      `Created: ${new Date().toISOString()}`,
      '',
      props.code,
      '',
      'Keep this safe. With it you can set a new password and keep your keys.',
      'Anyone holding it (and your username) can take over your account.',
      '',
    ].join('\n');
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `parley-recovery-${props.username}.txt`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <>
      <p>
        If you forget your password, this code is the only way back into your account and your keys. The
        server cannot reset it for you.
      </p>
      <code class="recovery-code" data-testid="recovery-code">
        {props.code}
      </code>
      <div class="row">
        <button type="button" class="btn" onClick={copy}>
          {copied() ? 'Copied' : 'Copy'}
        </button>
        <button type="button" class="btn" onClick={download}>
          Download as text
        </button>
      </div>
      <label class="checkbox">
        <input type="checkbox" checked={saved()} onChange={(e) => setSaved(e.currentTarget.checked)} />
        <span>I saved my recovery code somewhere safe.</span>
      </label>
      <Show when={!saved()}>
        <p class="hint">Tick the box to continue.</p>
      </Show>
      <button
        type="button"
        class="btn btn-primary btn-block"
        disabled={!saved()}
        onClick={() => props.onDone()}
      >
        {props.doneLabel}
      </button>
    </>
  );
};

export const RecoveryCodePage: Component<RecoveryCodeProps> = (props) => (
  <AuthLayout title="Save your recovery code" tagline="This is the only time it is shown.">
    <RecoveryCodeView
      code={props.code}
      username={props.username}
      onDone={props.onDone}
      doneLabel="Continue to Parley"
    />
  </AuthLayout>
);

/**
 * After a reload while the code was shown: it is gone (it was never stored), so offer to replace it
 * with a new one rather than open the app as if it had been saved.
 */
export const RecoveryReminderPage: Component<{
  onReplace: () => Promise<void>;
  onLater: () => void;
}> = (props) => {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const replace = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onReplace();
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not make a new recovery code.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthLayout title="Save a recovery code" tagline="Your recovery code was never confirmed.">
      <p>
        The recovery code made for this account was shown once, and you did not confirm that you saved it. It
        cannot be shown again. Make a new one now: the old code stops working.
      </p>
      <FormStatus error={error()} />
      <div class="stack">
        <button
          type="button"
          class="btn btn-primary btn-block"
          disabled={busy()}
          onClick={() => void replace()}
        >
          {busy() ? 'Making a new code…' : 'Make a new recovery code'}
        </button>
        <button type="button" class="btn btn-block" disabled={busy()} onClick={() => props.onLater()}>
          Not now
        </button>
      </div>
      <p class="hint">Without a recovery code, a forgotten password means losing your account and keys.</p>
    </AuthLayout>
  );
};
