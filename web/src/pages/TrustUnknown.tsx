// Trust unknown (DESIGN §7.4): the pins blob was withheld, rolled back or does not verify. The app
// pins nothing, uploads nothing and sends nothing until the user takes one of two ways out:
// re-verify contacts by safety number, or an explicit, warned reset. Never a silent repair.
import { type Component, createMemo, createSignal, For, Show } from 'solid-js';
import { Avatar } from '../components/Avatar';
import { ConfirmDialog } from '../components/Dialog';
import { Topbar } from '../components/Topbar';
import { errorText, notify } from '../stores/announcer';
import { useChat } from '../stores/chat';
import { routeHref } from '../stores/router';

export const TrustUnknownPage: Component = () => {
  const chat = useChat();
  const [confirmReset, setConfirmReset] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const contacts = createMemo(() =>
    Object.values(chat.state.users)
      .filter((u) => u.id !== chat.me().id && !u.deleted)
      .sort((a, b) => a.displayName.localeCompare(b.displayName)),
  );
  const reverified = () => contacts().filter((u) => u.verified);

  const resolve = async (how: 'reverified' | 'reset') => {
    setBusy(true);
    try {
      await chat.resolveTrust(how);
      notify('ok', how === 'reset' ? 'Your contacts were reset.' : 'Your re-verified contacts are saved.');
    } catch (err) {
      notify('error', errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Topbar title="Your saved contacts could not be checked" />
      <div class="page">
        <div class="page-narrow">
          <div class="section banner-danger" role="alert" data-testid="trust-unknown">
            <h2>Trust unknown</h2>
            <p>{sentence(chat.state.trustUnknown ?? '')}</p>
            <p>
              Parley keeps the security keys you accepted and the contacts you verified in a record that is
              encrypted and signed in your browser. The server cannot read or change it, but it can withhold
              it or hand back an old copy, and that is what happened. An old copy could hide a key change, so
              Parley does not use it and does not repair it: until you choose below, nothing is sent and no
              key is trusted.
            </p>
          </div>

          <section class="section" aria-labelledby="reverify-head">
            <h2 id="reverify-head">Re-verify your contacts</h2>
            <p class="hint">
              Compare safety numbers with each person you talk to, in person or on a call, and mark them
              verified. Then continue with those contacts; everyone else is trusted on first use again.
            </p>
            <ul class="member-list">
              <For each={contacts()}>
                {(u) => (
                  <li>
                    <Avatar userId={u.id} name={u.displayName} src={chat.avatarUrl(u.id)} />
                    <span class="who">
                      {u.displayName}
                      <small>@{u.username}</small>
                    </span>
                    <Show
                      when={u.verified}
                      fallback={
                        <a
                          class="btn btn-sm"
                          href={routeHref({ name: 'verify', userId: u.id, channelId: null })}
                          aria-label={`Compare safety number with ${u.displayName}`}
                        >
                          Compare safety number
                        </a>
                      }
                    >
                      <span class="badge badge-ok">✔ Re-verified</span>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
            <button
              type="button"
              class="btn btn-primary"
              disabled={busy() || reverified().length === 0}
              onClick={() => void resolve('reverified')}
            >
              Continue with {reverified().length} re-verified contact{reverified().length === 1 ? '' : 's'}
            </button>
          </section>

          <section class="section" aria-labelledby="reset-head">
            <h2 id="reset-head">Start over</h2>
            <p class="hint">
              Forget every saved key and verified mark, and trust each contact’s key as the server shows it
              now. If the server swapped someone’s key, you would not be warned.
            </p>
            <button
              type="button"
              class="btn btn-danger"
              disabled={busy()}
              onClick={() => setConfirmReset(true)}
            >
              Reset my contacts…
            </button>
          </section>
        </div>
      </div>
      <ConfirmDialog
        open={confirmReset()}
        title="Reset your contacts?"
        message="Every contact’s current key, as this server shows it, will be trusted again, including any key the server put in their place. Your verified marks are lost. Only do this if you cannot re-verify."
        confirmLabel="Reset and trust the server’s keys"
        danger
        onCancel={() => setConfirmReset(false)}
        onConfirm={() => {
          setConfirmReset(false);
          void resolve('reset');
        }}
      />
    </>
  );
};

function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
