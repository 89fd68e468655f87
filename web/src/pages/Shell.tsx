// The signed-in frame: sidebar (a drawer at phone width) and the main view chosen by the route.
import { type Component, createEffect, Match, on, onCleanup, onMount, Show, Switch } from 'solid-js';
import { Sidebar } from '../components/Sidebar';
import { useChat } from '../stores/chat';
import { navigate, route } from '../stores/router';
import { drawerOpen, setDrawerOpen } from '../stores/ui';
import { AdminPage } from './Admin';
import { ConversationPage } from './Conversation';
import { MembersPage } from './Members';
import { ProfilePage } from './Profile';
import { TrustUnknownPage } from './TrustUnknown';
import { VerifyPage } from './Verify';

export const Shell: Component = () => {
  const chat = useChat();

  // Home is the Broadcast channel.
  createEffect(() => {
    const r = route();
    if (r.name === 'home' || r.name === 'login' || r.name === 'register' || r.name === 'recover') {
      navigate({ name: 'channel', channelId: 'broadcast', panel: null }, { replace: true });
    }
  });

  // Keep the chat store told which conversation is open; close the drawer on navigation.
  createEffect(
    on(route, (r) => {
      chat.openChannel(r.name === 'channel' ? r.channelId : null);
      setDrawerOpen(false);
    }),
  );

  onMount(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && drawerOpen()) setDrawerOpen(false);
    };
    // The drawer only exists at phone width; leaving it must not leave the main view inert.
    const phone = window.matchMedia('(max-width: 760px)');
    const onWidth = () => {
      if (!phone.matches) setDrawerOpen(false);
    };
    document.addEventListener('keydown', onKey);
    phone.addEventListener('change', onWidth);
    onCleanup(() => {
      document.removeEventListener('keydown', onKey);
      phone.removeEventListener('change', onWidth);
    });
  });

  return (
    <div class="shell" data-drawer={drawerOpen() ? 'open' : 'closed'}>
      <button
        type="button"
        class="skip-link"
        onClick={() => document.getElementById('main-content')?.focus()}
      >
        Skip to content
      </button>
      <Sidebar />
      <button
        type="button"
        class="scrim"
        aria-label="Close navigation"
        tabindex="-1"
        onClick={() => setDrawerOpen(false)}
      />
      <main class="main" id="main-content" tabindex="-1" inert={drawerOpen() || undefined}>
        {/* Self-monitoring (DESIGN §7.5): cannot be dismissed. */}
        <Show when={chat.state.keyLogAlarm}>
          {(reason) => (
            <div class="banner banner-danger key-log-alarm" role="alert" data-testid="key-log-alarm">
              <span aria-hidden="true">⚠</span>
              <div class="banner-body">
                <p>
                  <strong>The server’s key log is wrong about you: {reason()}.</strong> Someone with control
                  of the server may be reading or sending messages as you. Tell your contacts through another
                  channel, and compare safety numbers with them. This warning stays until you log out.
                </p>
              </div>
            </div>
          )}
        </Show>
        <Switch>
          {/* Trust unknown has its own screen; only the safety-number pages stay open (DESIGN §7.4). */}
          <Match when={chat.state.trustUnknown !== null && route().name !== 'verify'}>
            <TrustUnknownPage />
          </Match>
          <Match
            when={(() => {
              const r = route();
              return r.name === 'channel' && r.panel === 'members' ? r : null;
            })()}
          >
            {(r) => <MembersPage channelId={r().channelId} />}
          </Match>
          <Match
            when={(() => {
              const r = route();
              return r.name === 'channel' ? r : null;
            })()}
          >
            {(r) => <ConversationPage channelId={r().channelId} />}
          </Match>
          <Match
            when={(() => {
              const r = route();
              return r.name === 'verify' ? r : null;
            })()}
          >
            {(r) => <VerifyPage userId={r().userId} channelId={r().channelId} />}
          </Match>
          <Match when={route().name === 'profile'}>
            <ProfilePage />
          </Match>
          <Match when={route().name === 'admin'}>
            <AdminPage />
          </Match>
        </Switch>
      </main>
    </div>
  );
};
