// Progress of an account operation: derivation (slow, in a worker), talking to the relay, unlocking.
import { type Component, Match, Switch } from 'solid-js';
import type { AuthPhase } from '../stores/session';
import { KdfProgress } from './KdfProgress';

export const PhaseProgress: Component<{ phase: AuthPhase }> = (props) => (
  <Switch>
    <Match when={props.phase === 'derive'}>
      <KdfProgress label="Deriving your keys from the password (Argon2id)…" />
    </Match>
    <Match when={props.phase === 'relay'}>
      <div class="progress-row" role="status">
        <span>Talking to the server…</span>
        <div class="progress" aria-hidden="true" />
      </div>
    </Match>
    <Match when={props.phase === 'unlock' || props.phase === 'done'}>
      <div class="progress-row" role="status">
        <span>Unlocking your keys…</span>
        <div class="progress" aria-hidden="true" />
      </div>
    </Match>
  </Switch>
);
