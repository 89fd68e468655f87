// The warning shown in a conversation when a member's identity key changed, or when the key in
// force is not the one the server's key log publishes. For a verified contact, sending stays
// blocked until the new key is verified again; a key-log problem blocks until it is resolved.
import { type Component, For, Show } from 'solid-js';
import { useChat } from '../stores/chat';
import type { UserInfo } from '../stores/chat-model';
import { routeHref } from '../stores/router';

export const KeyChangeBanner: Component<{ channelId: string; users: UserInfo[] }> = (props) => {
  const chat = useChat();
  return (
    <For each={props.users}>
      {(u) => (
        <div class="banner banner-danger" role="alert" data-testid="key-change-banner">
          <span aria-hidden="true">⚠</span>
          <div class="banner-body">
            <p>
              <strong>
                {u.keyProblem
                  ? `${u.displayName}’s security key is in doubt.`
                  : `${u.displayName}’s security key has changed.`}
              </strong>{' '}
              <Show when={u.keyProblem}>
                {(why) => (
                  <>
                    The key you have for them does not match the server’s key log: {why()}. Someone may be
                    intercepting. Sending to them is blocked; compare safety numbers in person.
                  </>
                )}
              </Show>
              <Show when={!u.keyProblem}>
                <Show
                  when={u.mustReverify || u.verified}
                  fallback={
                    <>
                      They may have reinstalled, or someone may be intercepting. Sending is paused until you
                      accept the new key; compare safety numbers to be sure.
                    </>
                  }
                >
                  You had verified {u.displayName}. Sending is blocked until you compare safety numbers again
                  and mark the new key verified.
                </Show>
              </Show>
            </p>
          </div>
          <div class="row">
            <a
              class="btn btn-sm"
              href={routeHref({ name: 'verify', userId: u.id, channelId: props.channelId })}
            >
              Verify safety number
            </a>
            <Show when={u.keyChanged && !u.verified && !u.keyProblem}>
              <button type="button" class="btn btn-sm" onClick={() => void chat.acknowledgeKeyChange(u.id)}>
                Accept new key
              </button>
            </Show>
          </div>
        </div>
      )}
    </For>
  );
};
