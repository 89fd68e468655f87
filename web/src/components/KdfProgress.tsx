// Indeterminate progress with elapsed time while Argon2id runs in the worker.
import { type Component, createSignal, onCleanup } from 'solid-js';

interface KdfProgressProps {
  label: string;
}

export const KdfProgress: Component<KdfProgressProps> = (props) => {
  const started = performance.now();
  const [elapsed, setElapsed] = createSignal(0);
  const timer = setInterval(() => setElapsed((performance.now() - started) / 1000), 100);
  onCleanup(() => clearInterval(timer));
  return (
    <div class="progress-row" role="status" aria-live="polite">
      <span>
        {props.label} <span class="mono">{elapsed().toFixed(1)} s</span>
      </span>
      <div class="progress" aria-hidden="true" />
    </div>
  );
};
