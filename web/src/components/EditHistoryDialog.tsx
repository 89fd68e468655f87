// A message's edit history: every version its sender signed, oldest first, with the time each
// was signed. Only the sender's own edits are here; an edit by anyone else was rejected.
import { type Component, For } from 'solid-js';
import type { EditVersion } from '../client';
import { formatDateTime } from '../lib/format';
import { Dialog } from './Dialog';
import { RichText } from './RichText';

export const EditHistoryDialog: Component<{
  open: boolean;
  versions: readonly EditVersion[];
  timeZone: string;
  onClose: () => void;
}> = (props) => (
  <Dialog open={props.open} title="Edit history" onClose={props.onClose} class="dialog-sm">
    <ol class="edit-history" data-testid="edit-history">
      <For each={props.versions}>
        {(v, i) => (
          <li class="edit-version">
            <div class="edit-version-head">
              <span class="edit-version-label">
                {i() === 0 ? 'Original' : i() === props.versions.length - 1 ? 'Current' : `Edit ${i()}`}
              </span>
              <time datetime={new Date(v.at).toISOString()}>{formatDateTime(v.at, props.timeZone)}</time>
            </div>
            <div class="edit-version-text">
              <RichText text={v.text} />
            </div>
          </li>
        )}
      </For>
    </ol>
  </Dialog>
);
