// A new password being chosen: the input, described by its strength meter once something is typed.
import { type Component, Show, splitProps } from 'solid-js';
import type { Strength } from '../lib/password';
import { PasswordMeter } from './PasswordMeter';
import { TextField, type TextFieldProps } from './TextField';

interface NewPasswordFieldProps
  extends Omit<
    TextFieldProps,
    'type' | 'autocomplete' | 'aria-describedby' | 'hint' | 'problem' | 'children'
  > {
  strength: Strength;
  meterId: string;
}

export const NewPasswordField: Component<NewPasswordFieldProps> = (props) => {
  const [own, field] = splitProps(props, ['strength', 'meterId']);
  return (
    <TextField {...field} type="password" autocomplete="new-password" aria-describedby={own.meterId}>
      <Show when={field.value.length > 0}>
        <PasswordMeter id={own.meterId} strength={own.strength} />
      </Show>
    </TextField>
  );
};
