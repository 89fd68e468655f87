// A user's avatar: their uploaded image, or coloured initials when there is none (or it fails).
// Always decorative: the name is shown next to it.
import { type Component, createSignal, Show } from 'solid-js';
import { hueFor, initials } from '../lib/format';

interface AvatarProps {
  userId: string;
  name: string;
  /** Image URL, or null for initials. */
  src: string | null;
  size?: 'sm' | 'md' | 'lg' | 'xl';
}

export const Avatar: Component<AvatarProps> = (props) => {
  const [failed, setFailed] = createSignal<string | null>(null);
  const showImage = () => props.src !== null && failed() !== props.src;
  return (
    <span
      class={`avatar avatar-${props.size ?? 'md'}`}
      style={{ '--avatar-hue': String(hueFor(props.userId)) }}
      aria-hidden="true"
    >
      <Show when={showImage()} fallback={<span class="avatar-initials">{initials(props.name) || '?'}</span>}>
        <img
          src={props.src ?? ''}
          alt=""
          loading="lazy"
          decoding="async"
          onError={() => setFailed(props.src)}
        />
      </Show>
    </span>
  );
};
