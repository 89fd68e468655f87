// Admin panel state: the user list with metadata and the server statistics, plus the actions an
// admin has (disable/enable, delete). Nothing here can reach message contents: the relay has none.
import type { AdminUser, StatsResponse } from '@parley/server/protocol';
import { createStore } from 'solid-js/store';
import type { z } from 'zod';
import type { ParleyClient } from '../client';
import { errorText } from './announcer';

export interface AdminState {
  users: AdminUser[];
  stats: z.infer<typeof StatsResponse> | null;
  loading: boolean;
  error: string | null;
  busy: Record<string, boolean>;
}

export function createAdminStore(client: ParleyClient) {
  const [state, setState] = createStore<AdminState>({
    users: [],
    stats: null,
    loading: false,
    error: null,
    busy: {},
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
        const [users, stats] = await Promise.all([client.api.adminUsers(), client.api.adminStats()]);
        setState({ users, stats, loading: false });
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
