// Start a DM: pick someone from the directory (never yourself), filtered as you type.
import { type Component, createEffect, createMemo, createSignal, For, on, Show } from 'solid-js';
import { useChat } from '../stores/chat';
import { Avatar } from './Avatar';
import { Dialog } from './Dialog';
import { TextField } from './TextField';

interface NewDmDialogProps {
  open: boolean;
  onClose: () => void;
}

export const NewDmDialog: Component<NewDmDialogProps> = (props) => {
  const chat = useChat();
  const [query, setQuery] = createSignal('');
  const [busy, setBusy] = createSignal<string | null>(null);

  const people = createMemo(() => {
    const q = query().trim().toLowerCase();
    const meId = chat.me().id;
    return Object.values(chat.state.users)
      .filter((u) => u.id !== meId && !u.deleted)
      .filter((u) => !q || u.username.includes(q) || u.displayName.toLowerCase().includes(q))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  });

  createEffect(
    on(
      () => props.open,
      (open) => {
        if (open) void chat.refreshContacts();
      },
    ),
  );

  const pick = async (userId: string) => {
    setBusy(userId);
    try {
      await chat.openDm(userId);
      setQuery('');
      props.onClose();
    } catch {
      // The store already told the user.
    } finally {
      setBusy(null);
    }
  };

  return (
    <Dialog open={props.open} title="New direct message" onClose={props.onClose}>
      <TextField
        id="dm-search"
        label="Find a person"
        type="search"
        autocomplete="off"
        placeholder="Name or username"
        value={query()}
        onValue={setQuery}
      />
      <ul class="picker-list" aria-label="People">
        <For
          each={people()}
          fallback={<li class="hint">{query() ? 'Nobody matches.' : 'Nobody else has joined yet.'}</li>}
        >
          {(u) => (
            <li>
              <button
                type="button"
                class="picker-item"
                disabled={busy() !== null}
                onClick={() => void pick(u.id)}
              >
                <Avatar userId={u.id} name={u.displayName} src={chat.avatarUrl(u.id)} size="sm" />
                <span class="who">
                  {u.displayName}
                  <small>@{u.username}</small>
                </span>
                <Show when={u.verified}>
                  <span class="badge badge-ok">Verified</span>
                </Show>
              </button>
            </li>
          )}
        </For>
      </ul>
    </Dialog>
  );
};
