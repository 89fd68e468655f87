// Strength bar plus concrete feedback for a password being chosen.
import { type Component, For, Show } from 'solid-js';
import type { Strength } from '../lib/password';

interface PasswordMeterProps {
  strength: Strength;
  id: string;
}

export const PasswordMeter: Component<PasswordMeterProps> = (props) => (
  <div id={props.id} class="password-meter" aria-live="polite">
    <div class="meter" data-score={props.strength.score} aria-hidden="true">
      <span />
      <span />
      <span />
      <span />
    </div>
    <span class="strength-label">Strength: {props.strength.label}</span>
    <Show when={props.strength.feedback.length > 0}>
      <ul class="strength-feedback">
        <For each={props.strength.feedback}>{(tip) => <li>{tip}</li>}</For>
      </ul>
    </Show>
  </div>
);
