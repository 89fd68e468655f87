// A labelled input with an optional hint line under it; the hint gives way to the problem, if any,
// and then marks the input invalid. Extra content (e.g. a strength meter) follows the input.
import { type Component, type JSX, Show, splitProps } from 'solid-js';

export interface TextFieldProps
  extends Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'id' | 'class' | 'value' | 'onInput' | 'children'> {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  /** Shown as `<id>-hint`, which describes the input. Without a hint there is no hint line. */
  hint?: string;
  /** Replaces the hint and marks the input invalid. */
  problem?: string | null;
  children?: JSX.Element;
}

export const TextField: Component<TextFieldProps> = (props) => {
  const [own, input] = splitProps(props, ['id', 'label', 'value', 'onValue', 'hint', 'problem', 'children']);
  const hinted = () => own.hint !== undefined;
  return (
    <div class="field">
      <label for={own.id}>{own.label}</label>
      <input
        id={own.id}
        class="input"
        aria-invalid={hinted() ? (own.problem ? 'true' : 'false') : undefined}
        aria-describedby={hinted() ? `${own.id}-hint` : undefined}
        {...input}
        value={own.value}
        onInput={(e) => own.onValue(e.currentTarget.value)}
      />
      <Show when={hinted()}>
        <p id={`${own.id}-hint`} class={own.problem ? 'field-error' : 'hint'}>
          {own.problem ?? own.hint}
        </p>
      </Show>
      {own.children}
    </div>
  );
};

/** The username of an account form: never auto-capitalised or spell-checked, and filled by password managers. */
export const UsernameField: Component<Omit<TextFieldProps, 'label'>> = (props) => (
  <TextField
    label="Username"
    name="username"
    autocomplete="username"
    autocapitalize="none"
    spellcheck={false}
    required
    {...props}
  />
);
