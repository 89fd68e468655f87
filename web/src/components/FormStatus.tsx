// The line at the top of a form: what went wrong (an alert) or, after success, what was done.
import { type Component, Show } from 'solid-js';

interface FormStatusProps {
  error: string | null | undefined;
  /** Id of the error line, for a form that refers to it. */
  errorId?: string;
  ok?: string | null;
}

export const FormStatus: Component<FormStatusProps> = (props) => (
  <>
    <Show when={props.error}>
      <p class="form-error" id={props.errorId} role="alert">
        {props.error}
      </p>
    </Show>
    <Show when={props.ok}>
      <p class="form-ok" role="status">
        {props.ok}
      </p>
    </Show>
  </>
);
