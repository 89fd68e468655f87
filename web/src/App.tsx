// The root: session restore, the signed-out screens, the one-time recovery code, and the shell.
import { type Component, Match, Show, Switch } from 'solid-js';
import { Toasts } from './components/Toasts';
import { LoginPage } from './pages/Login';
import { RecoverPage } from './pages/Recover';
import { RecoveryCodePage, RecoveryReminderPage } from './pages/RecoveryCode';
import { RegisterPage } from './pages/Register';
import { Shell } from './pages/Shell';
import { ChatProvider } from './stores/chat';
import { route } from './stores/router';
import { SessionProvider, useSession } from './stores/session';

const Root: Component = () => {
  const session = useSession();
  return (
    <Switch>
      <Match when={session.state.status === 'restoring'}>
        <div class="splash" role="status">
          <div class="spinner" aria-hidden="true" />
          <span>Unlocking Parley…</span>
        </div>
      </Match>
      <Match when={session.state.status === 'signed-out'}>
        <Switch fallback={<LoginPage />}>
          <Match when={route().name === 'register'}>
            <RegisterPage />
          </Match>
          <Match when={route().name === 'recover'}>
            <RecoverPage />
          </Match>
        </Switch>
      </Match>
      <Match when={session.state.recoveryCode}>
        {(code) => (
          <RecoveryCodePage
            code={code()}
            username={session.state.me?.username ?? ''}
            onDone={() => session.confirmRecoverySaved()}
          />
        )}
      </Match>
      <Match when={session.state.recoveryUnconfirmed}>
        <RecoveryReminderPage
          onReplace={() => session.replaceUnconfirmedRecoveryCode()}
          onLater={() => session.postponeRecoveryCode()}
        />
      </Match>
      <Match when={session.state.status === 'ready' && session.state.me}>
        <Show when={session.state.me?.id} keyed>
          {(_id) => (
            <ChatProvider
              client={session.client()}
              me={session.state.me as NonNullable<typeof session.state.me>}
              avatarUrl={(id, v) => session.avatarUrl(id, v)}
              onSessionEnded={(reason) => session.sessionEnded(reason)}
            >
              <Shell />
            </ChatProvider>
          )}
        </Show>
      </Match>
    </Switch>
  );
};

export const App: Component = () => (
  <SessionProvider>
    <Root />
    <Toasts />
  </SessionProvider>
);
