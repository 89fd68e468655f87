// What the client caught the server doing in this conversation (DESIGN §7): ghost members,
// members shown different member lists, keys that differ from the pinned ones, a member list
// nobody signed yet. Persistent for the session; the owner of an unsigned group can sign it here.
import { type Component, For, Show } from 'solid-js';
import { useChat } from '../stores/chat';

export const ChannelAlerts: Component<{ channelId: string }> = (props) => {
  const chat = useChat();
  const alerts = () => chat.state.alerts[props.channelId] ?? [];
  const isOwner = () =>
    chat.state.channels[props.channelId]?.members.some(
      (m) => m.userId === chat.me().id && m.role === 'owner',
    );
  return (
    <For each={alerts()}>
      {(a) => (
        <div class="banner banner-danger" role="alert" data-testid="channel-alert" data-kind={a.kind}>
          <span aria-hidden="true">⚠</span>
          <div class="banner-body">
            <p>{a.message}</p>
          </div>
          <Show when={a.kind === 'unverified-membership' && isOwner()}>
            <button type="button" class="btn btn-sm" onClick={() => void chat.signMembers(props.channelId)}>
              Sign the member list
            </button>
          </Show>
        </div>
      )}
    </For>
  );
};
