// Admin panel state: the user list with metadata, the server statistics and the invites, plus the
// actions an admin has (disable/enable, delete, make and revoke invites). Nothing here can reach
// message contents: the relay has none. An invite's link exists only in the answer that made it
// (the relay keeps a hash), so the links made on this page are kept here, in memory, until it closes.
import type { AdminInvite, AdminUser, RegistrationMode, StatsResponse } from '@parley/server/protocol';
import { createStore } from 'solid-js/store';
import type { z } from 'zod';
import type { ParleyClient } from '../client';
import { errorText } from './announcer';
import { routeHref } from './router';

export interface AdminState {
  users: AdminUser[];
  stats: z.infer<typeof StatsResponse> | null;
  loading: boolean;
  error: string | null;
  busy: Record<string, boolean>;
  mode: RegistrationMode | null;
  invites: AdminInvite[];
  /** Links of the invites made on this page, by invite id. */
  links: Record<string, string>;
  /** The invite made last, whose link the page shows. */
  lastCreated: string | null;
}

/** The link that opens this web app's register page with the code. */
export function inviteLinkHere(code: string): string {
  return `${location.origin}${location.pathname}${routeHref({ name: 'register', invite: code })}`;
}

export function createAdminStore(client: ParleyClient) {
  const [state, setState] = createStore<AdminState>({
    users: [],
    stats: null,
    loading: false,
    error: null,
    busy: {},
    mode: null,
    invites: [],
    links: {},
    lastCreated: null,
  });

  const withBusy = async (userId: string, fn: () => Promise<void>) => {
    setState('busy', userId, true);
    try {
      await fn();
    } finally {
      setState('busy', userId, false);
    }
  };

  const actions = {
    state,
    async load() {
      setState({ loading: true, error: null });
      try {
        const [users, stats, invites] = await Promise.all([
          client.api.adminUsers(),
          client.api.adminStats(),
          client.api.adminInvites(),
        ]);
        setState({ users, stats, mode: invites.mode, invites: invites.invites, loading: false });
      } catch (err) {
        setState({ loading: false, error: errorText(err) });
      }
    },
    async setDisabled(userId: string, disabled: boolean) {
      await withBusy(userId, async () => {
        await client.api.adminSetDisabled(userId, disabled);
        setState('users', (u) => u.id === userId, 'disabled', disabled);
      });
      void actions.load();
    },
    async createInvite(input: { maxUses: number; expiresInSeconds: number; label?: string }) {
      const { invite, code } = await client.api.adminCreateInvite(input);
      setState('links', invite.id, inviteLinkHere(code));
      setState('lastCreated', invite.id);
      setState('invites', (list) => [invite, ...list]);
    },
    async revokeInvite(inviteId: string) {
      await withBusy(inviteId, async () => {
        await client.api.adminRevokeInvite(inviteId);
        setState('invites', (i) => i.id === inviteId, 'state', 'revoked');
      });
    },
    async remove(userId: string) {
      await withBusy(userId, async () => {
        await client.api.adminDeleteUser(userId);
        setState('users', (list) => list.filter((u) => u.id !== userId));
      });
      void actions.load();
    },
  };
  return actions;
}

export type AdminStore = ReturnType<typeof createAdminStore>;
