// Message input: Enter sends, Shift+Enter adds a line; typing notifications are throttled upstream.
import { type Component, createSignal } from 'solid-js';
import { MAX_MESSAGE_CHARS } from '../lib/limits';

interface ComposerProps {
  label: string;
  onSend: (text: string) => void;
  onTyping: () => void;
  disabled?: boolean;
}

export const Composer: Component<ComposerProps> = (props) => {
  const [text, setText] = createSignal('');
  let area!: HTMLTextAreaElement;

  const grow = () => {
    area.style.height = 'auto';
    area.style.height = `${Math.min(area.scrollHeight, 160)}px`;
  };

  const submit = (e?: Event) => {
    e?.preventDefault();
    const t = text().trim();
    if (!t || props.disabled) return;
    props.onSend(t);
    setText('');
    area.value = '';
    grow();
    area.focus();
  };

  const tooLong = () => text().length > MAX_MESSAGE_CHARS;

  return (
    <form class="composer" onSubmit={submit}>
      <label for="composer-input" class="visually-hidden">
        {props.label}
      </label>
      <textarea
        ref={area}
        id="composer-input"
        class="input"
        rows="1"
        placeholder={props.label}
        maxlength={MAX_MESSAGE_CHARS}
        aria-invalid={tooLong() ? 'true' : 'false'}
        disabled={props.disabled}
        value={text()}
        onInput={(e) => {
          setText(e.currentTarget.value);
          grow();
          if (e.currentTarget.value) props.onTyping();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) submit(e);
        }}
      />
      <button type="submit" class="btn btn-primary" disabled={props.disabled || !text().trim() || tooLong()}>
        Send
      </button>
    </form>
  );
};
