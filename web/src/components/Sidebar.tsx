// Navigation: Broadcast, private channels, DMs (with unread counts), new DM / new channel, the
// connection state, and the user's own menu (profile, admin, logout).
import type { ChannelSummary } from '@parley/server/protocol';
import { type Component, createEffect, createMemo, createSignal, For, Show } from 'solid-js';
import { useChat } from '../stores/chat';
import { sortChannels } from '../stores/chat-model';
import { route, routeHref } from '../stores/router';
import { useSession } from '../stores/session';
import { drawerOpen, setDrawerOpen } from '../stores/ui';
import { Avatar } from './Avatar';
import { Icon } from './Icon';
import { NewChannelDialog } from './NewChannelDialog';
import { NewDmDialog } from './NewDmDialog';

const closeDrawer = () => setDrawerOpen(false);

const ConnectionStatus: Component = () => {
  const chat = useChat();
  const text = () => {
    const c = chat.state.connection;
    switch (c.state) {
      case 'open':
        return 'Connected';
      case 'connecting':
        return 'Connecting…';
      case 'closed':
        return c.retryInMs !== undefined
          ? `Offline, retrying in ${Math.ceil(c.retryInMs / 1000)} s`
          : 'Offline';
      default:
        return 'Offline';
    }
  };
  return (
    <span class="conn" data-state={chat.state.connection.state} role="status" aria-live="polite">
      {text()}
    </span>
  );
};

const ChannelLink: Component<{ channel: ChannelSummary }> = (props) => {
  const chat = useChat();
  const current = () => {
    const r = route();
    return r.name === 'channel' && r.channelId === props.channel.id;
  };
  const unread = () => chat.state.unread[props.channel.id] ?? 0;
  const mentions = () => chat.state.mentions[props.channel.id] ?? 0;
  const label = () => {
    const parts = [title()];
    if (unread() > 0) parts.push(`${unread()} unread`);
    if (mentions() > 0) parts.push(`${mentions()} mention${mentions() === 1 ? '' : 's'} of you`);
    return parts.join(', ');
  };
  const peer = () => chat.dmPeer(props.channel.id);
  const title = () => chat.title(props.channel.id);
  return (
    <li>
      <a
        class={`nav-item ${unread() > 0 ? 'unread' : ''}`}
        href={routeHref({ name: 'channel', channelId: props.channel.id, panel: null })}
        aria-current={current() ? 'page' : undefined}
        aria-label={label()}
        onClick={closeDrawer}
      >
        <Show
          when={peer()}
          fallback={
            <span class="hash" aria-hidden="true">
              <Icon name={props.channel.kind === 'broadcast' ? 'megaphone' : 'hash'} />
            </span>
          }
        >
          {(p) => <Avatar userId={p().id} name={p().displayName} src={chat.avatarUrl(p().id)} size="sm" />}
        </Show>
        <span class="nav-name">{title()}</span>
        <Show when={peer()?.keyChanged || peer()?.mustReverify || peer()?.keyProblem}>
          <span class="badge badge-warn" title="Security key changed">
            !
          </span>
        </Show>
        <Show when={mentions() > 0}>
          <span class="mention-badge" aria-hidden="true" data-testid="mention-badge">
            @{mentions() > 1 ? mentions() : ''}
          </span>
        </Show>
        <Show when={unread() > 0}>
          <span class="unread-badge" aria-hidden="true">
            {unread() > 99 ? '99+' : unread()}
          </span>
        </Show>
      </a>
    </li>
  );
};

export const Sidebar: Component = () => {
  const chat = useChat();
  const session = useSession();
  const [dmOpen, setDmOpen] = createSignal(false);
  const [groupOpen, setGroupOpen] = createSignal(false);
  let nav!: HTMLElement;

  const sections = createMemo(() =>
    sortChannels(Object.values(chat.state.channels), (c) => chat.title(c.id)),
  );

  // Opening the drawer moves focus into it.
  createEffect(() => {
    if (drawerOpen()) queueMicrotask(() => nav.querySelector<HTMLElement>('a, button')?.focus());
  });

  const me = () => chat.user(chat.me().id);

  return (
    <>
      <aside class="sidebar" id="sidebar" aria-label="Conversations">
        <div class="sidebar-head">
          <a class="brand" href={routeHref({ name: 'home' })} onClick={closeDrawer}>
            <img src="/favicon.svg" alt="" width="26" height="26" />
            Parley
          </a>
          <span class="spacer" />
          <ConnectionStatus />
        </div>
        <nav class="sidebar-nav" ref={nav} aria-label="Channels and direct messages">
          <div class="nav-section">
            <ul class="nav-list">
              <For each={sections().broadcast}>{(c) => <ChannelLink channel={c} />}</For>
            </ul>
          </div>
          <div class="nav-section">
            <div class="nav-section-head">
              <h2 id="nav-channels">Private channels</h2>
              <button
                type="button"
                class="btn btn-ghost btn-sm"
                aria-label="New private channel"
                onClick={() => setGroupOpen(true)}
              >
                + New
              </button>
            </div>
            <ul class="nav-list" aria-labelledby="nav-channels">
              <For each={sections().groups} fallback={<li class="nav-empty">No private channels yet.</li>}>
                {(c) => <ChannelLink channel={c} />}
              </For>
            </ul>
          </div>
          <div class="nav-section">
            <div class="nav-section-head">
              <h2 id="nav-dms">Direct messages</h2>
              <button
                type="button"
                class="btn btn-ghost btn-sm"
                aria-label="New direct message"
                onClick={() => setDmOpen(true)}
              >
                + New
              </button>
            </div>
            <ul class="nav-list" aria-labelledby="nav-dms">
              <For each={sections().dms} fallback={<li class="nav-empty">No direct messages yet.</li>}>
                {(c) => <ChannelLink channel={c} />}
              </For>
            </ul>
          </div>
        </nav>
        <div class="sidebar-foot">
          <div class="row sidebar-me">
            <a
              class="me-link"
              href={routeHref({ name: 'profile' })}
              aria-current={route().name === 'profile' ? 'page' : undefined}
              aria-label={`Profile: ${me().displayName}`}
              onClick={closeDrawer}
            >
              <Avatar userId={me().id} name={me().displayName} src={chat.avatarUrl(me().id)} size="sm" />
              <span class="me-name">
                {me().displayName}
                <span class="me-user">@{me().username}</span>
              </span>
            </a>
          </div>
          <div class="row sidebar-actions">
            <a class="btn btn-ghost btn-sm" href={routeHref({ name: 'profile' })} onClick={closeDrawer}>
              Profile
            </a>
            <Show when={session.state.me?.role === 'admin'}>
              <a
                class="btn btn-ghost btn-sm"
                href={routeHref({ name: 'admin' })}
                aria-current={route().name === 'admin' ? 'page' : undefined}
                onClick={closeDrawer}
              >
                Admin
              </a>
            </Show>
            <button type="button" class="btn btn-ghost btn-sm" onClick={() => void session.logout()}>
              Log out
            </button>
          </div>
        </div>
      </aside>
      <NewDmDialog open={dmOpen()} onClose={() => setDmOpen(false)} />
      <NewChannelDialog open={groupOpen()} onClose={() => setGroupOpen(false)} />
    </>
  );
};
