// The 60-digit safety number as 12 groups of 5, laid out 4 per row like Signal.
import { type Component, For } from 'solid-js';
import { safetyNumberGroups } from '../lib/format';

export const SafetyNumber: Component<{ digits: string }> = (props) => (
  <figure
    class="safety-number mono"
    aria-label={`Safety number ${safetyNumberGroups(props.digits).join(' ')}`}
  >
    <For each={safetyNumberGroups(props.digits)}>{(group) => <span class="sn-group">{group}</span>}</For>
  </figure>
);
