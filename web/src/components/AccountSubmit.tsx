// The submit button of a signed-out account form (register, log in, recover), with the progress of
// the running operation (key derivation, the relay, unlocking) above it.
import type { Component } from 'solid-js';
import { useSession } from '../stores/session';
import { PhaseProgress } from './PhaseProgress';

interface AccountSubmitProps {
  label: string;
  /** The label while the operation runs; the same label if unset. */
  busyLabel?: string;
  /** Disables the button while a required field is empty. */
  incomplete?: boolean;
}

export const AccountSubmit: Component<AccountSubmitProps> = (props) => {
  const session = useSession();
  return (
    <>
      <PhaseProgress phase={session.state.phase} />
      <button
        type="submit"
        class="btn btn-primary btn-block"
        disabled={session.state.busy || props.incomplete}
      >
        {session.state.busy ? (props.busyLabel ?? props.label) : props.label}
      </button>
    </>
  );
};
