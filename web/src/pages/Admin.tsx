// Admin panel (admins only): users with metadata, disable/enable, delete, server statistics,
// invites, and a plain statement that admins cannot read messages.
import { type Component, createSignal, For, onMount, Show } from 'solid-js';
import { ConfirmDialog } from '../components/Dialog';
import { FormStatus } from '../components/FormStatus';
import { Icon } from '../components/Icon';
import { InvitesSection } from '../components/InvitesSection';
import { Topbar } from '../components/Topbar';
import { formatBytes, formatDateTime, formatDuration, viewerTimeZone } from '../lib/format';
import { createAdminStore } from '../stores/admin';
import { errorText, notify } from '../stores/announcer';
import { useChat } from '../stores/chat';
import { useSession } from '../stores/session';

export const AdminPage: Component = () => {
  const session = useSession();
  const chat = useChat();
  const admin = createAdminStore(session.client());
  const tz = viewerTimeZone();
  const [toDelete, setToDelete] = createSignal<{ id: string; name: string } | null>(null);

  onMount(() => {
    if (session.state.me?.role === 'admin') void admin.load();
  });

  const act = async (fn: () => Promise<void>, ok: string) => {
    try {
      await fn();
      notify('ok', ok);
    } catch (err) {
      notify('error', errorText(err));
    }
  };

  return (
    <>
      <Topbar title="Administration" />
      <div class="page">
        <Show
          when={session.state.me?.role === 'admin'}
          fallback={
            <div class="empty">
              <h2>Admins only</h2>
              <p>You do not have access to this page.</p>
            </div>
          }
        >
          <div class="banner banner-info section admin-note" role="note">
            <Icon name="lock" />
            <p>
              <strong>Admins cannot read messages.</strong> Messages are end-to-end encrypted in the members’
              browsers; this server stores only ciphertext. You can see accounts, when they were active, how
              many messages they sent, and manage access.
            </p>
          </div>
          <FormStatus error={admin.state.error} />
          <section class="section" aria-labelledby="stats-head">
            <div class="row">
              <h2 id="stats-head">Server statistics</h2>
              <span class="spacer" />
              <button
                type="button"
                class="btn btn-sm"
                disabled={admin.state.loading}
                onClick={() => void admin.load()}
              >
                Refresh
              </button>
            </div>
            <Show
              when={admin.state.stats}
              fallback={<div class="spinner" role="status" aria-label="Loading" />}
            >
              {(s) => (
                <dl class="stats">
                  <div class="stat">
                    <dt>Users</dt>
                    <dd>{s().users}</dd>
                  </div>
                  <div class="stat">
                    <dt>Disabled</dt>
                    <dd>{s().disabledUsers}</dd>
                  </div>
                  <div class="stat">
                    <dt>Channels</dt>
                    <dd>{s().channels}</dd>
                  </div>
                  <div class="stat">
                    <dt>Messages</dt>
                    <dd>{s().messages}</dd>
                  </div>
                  <div class="stat">
                    <dt>Ciphertext stored</dt>
                    <dd>{formatBytes(s().ciphertextBytes)}</dd>
                  </div>
                  <div class="stat">
                    <dt>Active sessions</dt>
                    <dd>{s().activeSessions}</dd>
                  </div>
                  <div class="stat">
                    <dt>Connected sockets</dt>
                    <dd>{s().connectedSockets}</dd>
                  </div>
                  <div class="stat">
                    <dt>Uptime</dt>
                    <dd>{formatDuration(s().uptimeSeconds)}</dd>
                  </div>
                </dl>
              )}
            </Show>
            <Show when={admin.state.stats}>
              {(s) => (
                <div class="key-log" data-testid="key-log-fingerprint">
                  <h3>Key log</h3>
                  <p class="hint">
                    Every account’s public keys are published in a signed key log that every browser checks.
                    Its signing key’s fingerprint, to publish where your users can compare it (it is also
                    printed when the relay starts):
                  </p>
                  <code class="fingerprint">{s().keyLog.fingerprint}</code>
                  <p class="hint">
                    {s().keyLog.epoch === null
                      ? 'No epoch published yet.'
                      : `Newest epoch: ${s().keyLog.epoch}.`}
                  </p>
                </div>
              )}
            </Show>
          </section>
          <InvitesSection admin={admin} />
          <section class="section" aria-labelledby="users-head">
            <h2 id="users-head">Users</h2>
            <div class="table-wrap">
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col" class="hide-sm">
                      Created
                    </th>
                    <th scope="col" class="hide-sm">
                      Last seen
                    </th>
                    <th scope="col">Messages</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  <For each={admin.state.users}>
                    {(u) => (
                      <tr data-username={u.username}>
                        <td>
                          {u.displayName}
                          <br />
                          <small class="hint">
                            @{u.username}
                            {u.role === 'admin' ? ' · admin' : ''}
                            {u.email ? ` · ${u.email}` : ''}
                          </small>
                        </td>
                        <td class="hide-sm">{formatDateTime(u.createdAt, tz)}</td>
                        <td class="hide-sm">{u.lastSeenAt ? formatDateTime(u.lastSeenAt, tz) : 'Never'}</td>
                        <td class="num">{u.messageCount}</td>
                        <td>
                          <span class={`badge ${u.disabled ? 'badge-danger' : 'badge-ok'}`}>
                            {u.disabled ? 'Disabled' : 'Active'}
                          </span>
                        </td>
                        <td>
                          <Show when={u.id !== chat.me().id} fallback={<span class="hint">You</span>}>
                            <div class="row">
                              <button
                                type="button"
                                class="btn btn-sm"
                                disabled={admin.state.busy[u.id]}
                                aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.username}`}
                                onClick={() =>
                                  void act(
                                    () => admin.setDisabled(u.id, !u.disabled),
                                    `${u.username} ${u.disabled ? 'enabled' : 'disabled'}.`,
                                  )
                                }
                              >
                                {u.disabled ? 'Enable' : 'Disable'}
                              </button>
                              <button
                                type="button"
                                class="btn btn-sm btn-danger"
                                disabled={admin.state.busy[u.id]}
                                aria-label={`Delete ${u.username}`}
                                onClick={() => setToDelete({ id: u.id, name: u.username })}
                              >
                                Delete
                              </button>
                            </div>
                          </Show>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
          </section>
        </Show>
      </div>
      <ConfirmDialog
        open={toDelete() !== null}
        title="Delete account?"
        message={`@${toDelete()?.name ?? ''} will be deleted with their sessions, memberships and the ciphertext of their messages. This cannot be undone.`}
        confirmLabel="Delete account"
        danger
        onCancel={() => setToDelete(null)}
        onConfirm={() => {
          const t = toDelete();
          setToDelete(null);
          if (t) void act(() => admin.remove(t.id), `@${t.name} deleted.`);
        }}
      />
    </>
  );
};
