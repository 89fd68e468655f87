// Members of a channel: who is in it as the client verified it (a private channel's signed
// membership log, not the server's list), verification state, invite, remove (owner), leave.
// Anyone the server lists beyond the signed members is shown apart, as the server's claim.
import { type Component, createMemo, createSignal, For, Show } from 'solid-js';
import { Avatar } from '../components/Avatar';
import { ConfirmDialog } from '../components/Dialog';
import { Topbar } from '../components/Topbar';
import { useChat } from '../stores/chat';
import { routeHref } from '../stores/router';

export const MembersPage: Component<{ channelId: string }> = (props) => {
  const chat = useChat();
  const [inviteId, setInviteId] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [confirmLeave, setConfirmLeave] = createSignal(false);
  const [toRemove, setToRemove] = createSignal<string | null>(null);

  const channel = () => chat.state.channels[props.channelId];
  const meId = () => chat.me().id;
  const isGroup = () => channel()?.kind === 'group';
  /** The signed members; null while a group's log is not verified (the server's list is shown, marked). */
  const verified = () => chat.state.verified[props.channelId] ?? null;
  const listed = () => verified() ?? channel()?.members ?? [];
  const myRole = () => listed().find((m) => m.userId === meId())?.role;
  const unlisted = createMemo(() => {
    const signed = verified();
    if (!signed) return [];
    const ids = new Set(signed.map((m) => m.userId));
    return (channel()?.members ?? []).filter((m) => !ids.has(m.userId)).map((m) => chat.user(m.userId));
  });

  const members = createMemo(() =>
    listed()
      .map((m) => ({ ...m, user: chat.user(m.userId) }))
      .sort((a, b) =>
        a.role === b.role
          ? a.user.displayName.localeCompare(b.user.displayName)
          : a.role === 'owner'
            ? -1
            : 1,
      ),
  );
  const candidates = createMemo(() => {
    const inside = new Set(listed().map((m) => m.userId));
    return Object.values(chat.state.users)
      .filter((u) => !inside.has(u.id) && !u.deleted)
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  });

  const invite = async (e: SubmitEvent) => {
    e.preventDefault();
    const id = inviteId();
    if (!id) return;
    setBusy(true);
    await chat.invite(props.channelId, id);
    setInviteId('');
    setBusy(false);
  };

  return (
    <>
      <Topbar title={`Members of ${channel()?.kind === 'group' ? '#' : ''}${chat.title(props.channelId)}`}>
        <a class="btn btn-sm" href={routeHref({ name: 'channel', channelId: props.channelId, panel: null })}>
          Back to conversation
        </a>
      </Topbar>
      <div class="page">
        <div class="page-narrow">
          <Show
            when={channel()}
            fallback={<p>This conversation does not exist or you are no longer a member.</p>}
          >
            <Show when={isGroup()}>
              <section class="section" aria-labelledby="invite-head">
                <h2 id="invite-head">Invite someone</h2>
                <form class="row" onSubmit={invite}>
                  <label for="invite-user" class="visually-hidden">
                    Person to invite
                  </label>
                  <select
                    id="invite-user"
                    class="input"
                    value={inviteId()}
                    onChange={(e) => setInviteId(e.currentTarget.value)}
                    onFocus={() => void chat.refreshContacts()}
                  >
                    <option value="">Choose a person…</option>
                    <For each={candidates()}>
                      {(u) => (
                        <option value={u.id}>
                          {u.displayName} (@{u.username})
                        </option>
                      )}
                    </For>
                  </select>
                  <button type="submit" class="btn btn-primary" disabled={!inviteId() || busy()}>
                    Invite
                  </button>
                </form>
                <p class="hint">
                  New members can read messages sent after they join, not earlier ones. Keys are rotated on
                  every change.
                </p>
              </section>
            </Show>
            <Show when={isGroup() && verified() === null}>
              <div class="section banner-danger" role="alert" data-testid="members-unverified">
                <h2>This member list is not signed</h2>
                <p>
                  This list comes from the server, and no member signed it, so nobody can check it. Sending is
                  paused until the owner signs the members.
                </p>
                <Show when={myRole() === 'owner'}>
                  <button type="button" class="btn" onClick={() => void chat.signMembers(props.channelId)}>
                    Sign the member list
                  </button>
                </Show>
              </div>
            </Show>
            <Show when={unlisted().length > 0}>
              <div class="section banner-danger" role="alert" data-testid="ghost-members">
                <h2>Listed by the server, but not members</h2>
                <p>
                  The server lists{' '}
                  {unlisted()
                    .map((u) => u.displayName)
                    .join(', ')}{' '}
                  in this channel, but no member added them in the signed member list. Your key is not shared
                  with them, and they cannot read what you send.
                </p>
              </div>
            </Show>
            <section class="section" aria-labelledby="members-head">
              <h2 id="members-head">
                {members().length} member{members().length === 1 ? '' : 's'}
                {isGroup() && verified() ? ' · signed by members' : ''}
              </h2>
              <ul class="member-list">
                <For each={members()}>
                  {(m) => (
                    <li>
                      <Avatar userId={m.userId} name={m.user.displayName} src={chat.avatarUrl(m.userId)} />
                      <span class="who">
                        {m.user.displayName}
                        {m.userId === meId() ? ' (you)' : ''}
                        <small>
                          @{m.user.username}
                          {m.role === 'owner' ? ' · owner' : ''}
                        </small>
                      </span>
                      <Show when={m.userId !== meId()}>
                        <Show when={m.user.keyChanged || m.user.mustReverify || m.user.keyProblem}>
                          <span class="badge badge-danger">Key changed</span>
                        </Show>
                        <Show when={m.user.verified && !m.user.keyChanged && !m.user.keyProblem}>
                          <span class="badge badge-ok">Verified</span>
                        </Show>
                        <a
                          class="btn btn-sm"
                          href={routeHref({ name: 'verify', userId: m.userId, channelId: props.channelId })}
                          aria-label={`Verify ${m.user.displayName}`}
                        >
                          Verify
                        </a>
                        <Show when={isGroup() && myRole() === 'owner'}>
                          <button
                            type="button"
                            class="btn btn-sm btn-danger"
                            aria-label={`Remove ${m.user.displayName}`}
                            onClick={() => setToRemove(m.userId)}
                          >
                            Remove
                          </button>
                        </Show>
                      </Show>
                    </li>
                  )}
                </For>
              </ul>
            </section>
            <Show when={isGroup()}>
              <section class="section">
                <h2>Leave</h2>
                <p class="hint">You will stop receiving messages. Someone must invite you to come back.</p>
                <button type="button" class="btn btn-danger" onClick={() => setConfirmLeave(true)}>
                  Leave channel
                </button>
              </section>
            </Show>
          </Show>
        </div>
      </div>
      <ConfirmDialog
        open={confirmLeave()}
        title="Leave this channel?"
        message="You will no longer see new messages in it."
        confirmLabel="Leave"
        danger
        onCancel={() => setConfirmLeave(false)}
        onConfirm={() => {
          setConfirmLeave(false);
          void chat.leave(props.channelId);
        }}
      />
      <ConfirmDialog
        open={toRemove() !== null}
        title="Remove member?"
        message={`${chat.user(toRemove()).displayName} will not be able to read anything sent after this.`}
        confirmLabel="Remove"
        danger
        onCancel={() => setToRemove(null)}
        onConfirm={() => {
          const id = toRemove();
          setToRemove(null);
          if (id) void chat.removeMember(props.channelId, id);
        }}
      />
    </>
  );
};
