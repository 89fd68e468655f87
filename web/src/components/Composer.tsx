// Message input: Enter sends, Shift+Enter adds a line; typing notifications are throttled upstream.
// Above the input it can show what the next send answers (a reply) or replaces (an edit), with a
// way to cancel; `@` completes the channel's members; Up in an empty input edits my last message.
import { type Component, createEffect, createSignal, on, Show } from 'solid-js';
import type { MentionCandidate } from '../client';
import { MAX_MESSAGE_CHARS } from '../lib/limits';
import { completeMention, type MentionQuery, matchCandidates, mentionQuery } from '../lib/mention-input';
import { MENTION_LIST_ID, MentionPopup, mentionOptionId } from './MentionPopup';

/** A reply or an edit in progress. `key` changes when another one starts. */
export interface ComposerContext {
  kind: 'reply' | 'edit';
  key: string;
  /** "Replying to Alice", "Editing your message". */
  title: string;
  snippet: string;
  /** For an edit: the text to start from. */
  text?: string;
  onCancel: () => void;
}

interface ComposerProps {
  label: string;
  onSend: (text: string) => void;
  onTyping: () => void;
  disabled?: boolean;
  context?: ComposerContext | null;
  /** The members `@` can complete. */
  mentionCandidates?: () => MentionCandidate[];
  /** Up in an empty input. */
  onEditLast?: () => void;
}

export const Composer: Component<ComposerProps> = (props) => {
  const [text, setText] = createSignal('');
  const [mention, setMention] = createSignal<{ at: MentionQuery; options: MentionCandidate[] } | null>(null);
  const [active, setActive] = createSignal(0);
  let area!: HTMLTextAreaElement;

  const grow = () => {
    area.style.height = 'auto';
    area.style.height = `${Math.min(area.scrollHeight, 160)}px`;
  };

  const setValue = (value: string, caret = value.length) => {
    setText(value);
    area.value = value;
    area.setSelectionRange(caret, caret);
    grow();
  };

  // A new reply or edit: focus the input; an edit starts from the message's text, and the text
  // of an edit goes when the edit ends.
  createEffect(
    on(
      () => props.context,
      (c, prev) => {
        if (c?.kind === 'edit' && c.key !== prev?.key) setValue(c.text ?? '');
        else if (!c && prev?.kind === 'edit') setValue('');
        if (c && c.key !== prev?.key) queueMicrotask(() => area.focus());
      },
      { defer: true },
    ),
  );

  const updateMention = () => {
    const at = mentionQuery(area.value, area.selectionStart ?? area.value.length);
    const options = at && props.mentionCandidates ? matchCandidates(props.mentionCandidates(), at.query) : [];
    if (!at || options.length === 0) {
      setMention(null);
      return;
    }
    setMention({ at, options });
    setActive((i) => Math.min(i, options.length - 1));
  };

  const pick = (c: MentionCandidate) => {
    const m = mention();
    if (!m) return;
    const done = completeMention(area.value, m.at, area.selectionStart ?? area.value.length, c.username);
    setValue(done.text, done.caret);
    setMention(null);
    area.focus();
  };

  const submit = (e?: Event) => {
    e?.preventDefault();
    const t = text().trim();
    if (!t || props.disabled) return;
    props.onSend(t);
    setValue('');
    setMention(null);
    area.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const m = mention();
    if (m && !e.isComposing) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = m.options.length;
        setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        const c = m.options[active()];
        if (c) pick(c);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setMention(null);
        return;
      }
    }
    if (e.key === 'Escape' && props.context) {
      e.preventDefault();
      props.context.onCancel();
      return;
    }
    if (e.key === 'ArrowUp' && area.value === '' && props.onEditLast) {
      e.preventDefault();
      props.onEditLast();
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) submit(e);
  };

  const tooLong = () => text().length > MAX_MESSAGE_CHARS;
  const editing = () => props.context?.kind === 'edit';

  return (
    <form class="composer" onSubmit={submit}>
      <Show when={props.context}>
        {(c) => (
          <div class={`composer-context ${c().kind}`} data-testid="composer-context">
            <div class="composer-context-text">
              <span class="composer-context-title">{c().title}</span>
              <span class="composer-context-snippet">{c().snippet}</span>
            </div>
            <button
              type="button"
              class="btn btn-ghost btn-icon"
              aria-label={c().kind === 'edit' ? 'Cancel editing' : 'Cancel reply'}
              onClick={() => c().onCancel()}
            >
              ✕
            </button>
          </div>
        )}
      </Show>
      <Show when={mention()}>
        {(m) => <MentionPopup options={m().options} active={active()} onPick={pick} />}
      </Show>
      <div class="composer-row">
        <label for="composer-input" class="visually-hidden">
          {editing() ? 'Edit your message' : props.label}
        </label>
        <textarea
          ref={area}
          id="composer-input"
          class="input"
          rows="1"
          placeholder={props.label}
          maxlength={MAX_MESSAGE_CHARS}
          aria-invalid={tooLong() ? 'true' : 'false'}
          aria-autocomplete="list"
          aria-controls={mention() ? MENTION_LIST_ID : undefined}
          aria-activedescendant={mention() ? mentionOptionId(active()) : undefined}
          disabled={props.disabled}
          value={text()}
          onInput={(e) => {
            setText(e.currentTarget.value);
            grow();
            updateMention();
            if (e.currentTarget.value) props.onTyping();
          }}
          onClick={updateMention}
          onBlur={() => setMention(null)}
          onKeyDown={onKeyDown}
        />
        <button
          type="submit"
          class="btn btn-primary"
          disabled={props.disabled || !text().trim() || tooLong()}
        >
          {editing() ? 'Save' : 'Send'}
        </button>
      </div>
    </form>
  );
};
