// Create a private (invite-only) channel.
import { type Component, createSignal, Show } from 'solid-js';
import { useChat } from '../stores/chat';
import { Dialog } from './Dialog';

interface NewChannelDialogProps {
  open: boolean;
  onClose: () => void;
}

export const NewChannelDialog: Component<NewChannelDialogProps> = (props) => {
  const chat = useChat();
  const [name, setName] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const n = name().trim();
    if (!n) {
      setError('Give the channel a name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await chat.createGroup(n);
      setName('');
      props.onClose();
    } catch {
      setError('Could not create the channel.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={props.open} title="New private channel" onClose={props.onClose}>
      <form onSubmit={submit} novalidate>
        <div class="field">
          <label for="new-channel-name">Channel name</label>
          <input
            id="new-channel-name"
            class="input"
            maxlength={64}
            autocomplete="off"
            aria-invalid={error() ? 'true' : 'false'}
            aria-describedby="new-channel-hint"
            value={name()}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <Show
            when={error()}
            fallback={
              <p id="new-channel-hint" class="hint">
                Only people you invite can read it. The name is visible to the server.
              </p>
            }
          >
            <p id="new-channel-hint" class="field-error" role="alert">
              {error()}
            </p>
          </Show>
        </div>
        <div class="row dialog-actions">
          <span class="spacer" />
          <button type="button" class="btn" onClick={() => props.onClose()}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy()}>
            Create channel
          </button>
        </div>
      </form>
    </Dialog>
  );
};
