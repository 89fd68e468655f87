// The admin panel's invites: the relay's REGISTRATION mode, a form to make an invite link (not
// under `closed`, where only the admin CLI makes them), the link just made with a copy button, and
// every invite with its uses, expiry and state, to revoke. A link is shown only on the page that
// made it: the relay keeps a hash of the code, never the code.
import type { AdminInvite, RegistrationMode } from '@parley/server/protocol';
import { type Component, createSignal, For, Show } from 'solid-js';
import { formatDateTime, viewerTimeZone } from '../lib/format';
import type { AdminStore } from '../stores/admin';
import { announce, errorText, notify } from '../stores/announcer';

const MODE_TEXT: Record<RegistrationMode, { label: string; text: string }> = {
  open: {
    label: 'Open',
    text: 'Anyone who reaches this server can create an account; invites are not needed.',
  },
  invite: {
    label: 'Invite only',
    text: 'New accounts need an invite link. Make one below and send it to the person.',
  },
  closed: {
    label: 'Closed',
    text: 'Only links made on the server with the admin CLI create accounts (npm run admin -- invite, or create-user). Invites made here no longer work.',
  },
};

const EXPIRY_CHOICES: [string, number][] = [
  ['1 hour', 3600],
  ['1 day', 86_400],
  ['7 days', 7 * 86_400],
  ['30 days', 30 * 86_400],
];

const STATE_BADGE = {
  active: ['badge-ok', 'Active'],
  expired: ['', 'Expired'],
  used_up: ['', 'Used up'],
  revoked: ['badge-danger', 'Revoked'],
} as const;

/** The line under an invite's name: its username when a note names it, and an admin role. */
function inviteDetail(invite: AdminInvite): string {
  const parts = [
    invite.label && invite.username ? `@${invite.username}` : '',
    invite.role === 'admin' ? 'admin' : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

async function copyLink(link: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(link);
    announce('Invite link copied to the clipboard.');
  } catch {
    announce('Copying failed; select the link and copy it by hand.', true);
  }
}

export const InvitesSection: Component<{ admin: AdminStore }> = (props) => {
  const tz = viewerTimeZone();
  const [uses, setUses] = createSignal('1');
  const [expires, setExpires] = createSignal(String(7 * 86_400));
  const [label, setLabel] = createSignal('');
  const [creating, setCreating] = createSignal(false);
  const state = () => props.admin.state;

  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const maxUses = Number(uses());
    if (!Number.isInteger(maxUses) || maxUses < 1 || maxUses > 1000) {
      notify('error', 'Uses: a whole number from 1 to 1000.');
      return;
    }
    setCreating(true);
    try {
      const note = label().trim();
      await props.admin.createInvite({
        maxUses,
        expiresInSeconds: Number(expires()),
        ...(note ? { label: note } : {}),
      });
      setLabel('');
      notify('ok', 'Invite created. Copy the link now: it is shown only here.');
    } catch (err) {
      notify('error', errorText(err));
    } finally {
      setCreating(false);
    }
  };

  return (
    <section class="section" aria-labelledby="invites-head" data-testid="invites">
      <div class="row">
        <h2 id="invites-head">Invites</h2>
        <span class="spacer" />
        <Show when={state().mode}>
          {(m) => <span class="badge">Registration: {MODE_TEXT[m()].label}</span>}
        </Show>
      </div>
      <Show when={state().mode}>{(m) => <p class="hint">{MODE_TEXT[m()].text}</p>}</Show>
      <Show when={state().mode !== null && state().mode !== 'closed'}>
        <form class="invite-form" onSubmit={create}>
          <div class="field">
            <label for="invite-uses">Uses</label>
            <input
              id="invite-uses"
              class="input"
              type="number"
              inputmode="numeric"
              min="1"
              max="1000"
              required
              value={uses()}
              onInput={(e) => setUses(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="invite-expires">Expires after</label>
            <select
              id="invite-expires"
              class="input"
              value={expires()}
              onChange={(e) => setExpires(e.currentTarget.value)}
            >
              <For each={EXPIRY_CHOICES}>
                {([text, seconds]) => <option value={String(seconds)}>{text}</option>}
              </For>
            </select>
          </div>
          <div class="field invite-note">
            <label for="invite-label">Note (optional)</label>
            <input
              id="invite-label"
              class="input"
              maxlength={64}
              placeholder="Who it is for"
              value={label()}
              onInput={(e) => setLabel(e.currentTarget.value)}
            />
          </div>
          <button type="submit" class="btn btn-primary" disabled={creating()}>
            Create invite
          </button>
        </form>
      </Show>
      <Show when={state().lastCreated ? state().links[state().lastCreated ?? ''] : null}>
        {(link) => (
          <div class="banner banner-inline banner-info invite-new" data-testid="invite-link">
            <div class="banner-body">
              <p>
                <strong>New invite link.</strong> Send it to the person; it is shown only on this page, as the
                server keeps only a hash of it.
              </p>
              <div class="row invite-copy">
                <input
                  class="input"
                  readonly
                  aria-label="Invite link"
                  value={link()}
                  onFocus={(e) => e.currentTarget.select()}
                />
                <button type="button" class="btn" onClick={() => void copyLink(link())}>
                  Copy
                </button>
              </div>
            </div>
          </div>
        )}
      </Show>
      <Show when={state().invites.length > 0} fallback={<p class="hint">No invites yet.</p>}>
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Invite</th>
                <th scope="col" class="hide-sm">
                  Made by
                </th>
                <th scope="col">Uses</th>
                <th scope="col" class="hide-sm">
                  Expires
                </th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <For each={state().invites}>
                {(invite) => (
                  <tr data-invite={invite.id}>
                    <td>
                      {invite.label ?? (invite.username ? `For @${invite.username}` : 'Anyone')}
                      <Show when={inviteDetail(invite)}>
                        {(detail) => (
                          <>
                            <br />
                            <small class="hint">{detail()}</small>
                          </>
                        )}
                      </Show>
                    </td>
                    <td class="hide-sm">
                      {invite.source === 'cli'
                        ? 'Admin CLI'
                        : invite.createdBy
                          ? `@${invite.createdBy}`
                          : 'Deleted admin'}
                    </td>
                    <td class="num">
                      {invite.uses} / {invite.maxUses}
                    </td>
                    <td class="hide-sm">{formatDateTime(invite.expiresAt, tz)}</td>
                    <td>
                      <span class={`badge ${STATE_BADGE[invite.state][0]}`}>
                        {STATE_BADGE[invite.state][1]}
                      </span>
                    </td>
                    <td>
                      <div class="row">
                        <Show when={state().links[invite.id]}>
                          {(link) => (
                            <button
                              type="button"
                              class="btn btn-sm"
                              aria-label="Copy invite link"
                              onClick={() => void copyLink(link())}
                            >
                              Copy link
                            </button>
                          )}
                        </Show>
                        <Show when={invite.state === 'active'}>
                          <button
                            type="button"
                            class="btn btn-sm btn-danger"
                            disabled={state().busy[invite.id]}
                            aria-label={`Revoke invite ${invite.label ?? invite.id}`}
                            onClick={() =>
                              void props.admin
                                .revokeInvite(invite.id)
                                .then(() => notify('ok', 'Invite revoked.'))
                                .catch((err: unknown) => notify('error', errorText(err)))
                            }
                          >
                            Revoke
                          </button>
                        </Show>
                      </div>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
    </section>
  );
};
