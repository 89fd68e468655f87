// A virtualised, bottom-anchored list for chat timelines: only the rows near the viewport are in the
// DOM; row heights are measured with ResizeObserver; the view sticks to the bottom while the user is
// there, keeps the first visible row still when older rows are prepended, and asks for more history
// when scrolled near the top.
import {
  type Component,
  createEffect,
  createMemo,
  createSignal,
  For,
  type JSX,
  on,
  onCleanup,
  onMount,
  Show,
} from 'solid-js';
import { computeOffsets, indexAt, visibleRange } from '../lib/virtual';

export interface VirtualListProps<T> {
  items: readonly T[];
  itemKey: (item: T) => string;
  renderItem: (item: T) => JSX.Element;
  estimateHeight?: number;
  /** Called when the user scrolls within `topThreshold` px of the top. */
  onReachTop?: () => void;
  topThreshold?: number;
  /** Changing this value (e.g. a channel id) scrolls to the bottom and forgets measurements. */
  resetKey?: unknown;
  class?: string;
  /** Accessible name of the scroll region. */
  label: string;
  onAtBottomChange?: (atBottom: boolean) => void;
  /** Rows that may anchor the view while content changes above them (default: all). */
  isAnchor?: (item: T) => boolean;
  /** True while older items are loading; when it turns false the top is checked again. */
  loadingOlder?: boolean;
  /** Brings this item into view, a third of the way down; a new object for each request. */
  scrollTo?: { key: string } | null;
}

const OVERSCAN = 600;
const BOTTOM_SLACK = 24;

export function VirtualList<T>(props: VirtualListProps<T>): JSX.Element {
  let scroller!: HTMLElement;
  const heights = new Map<string, number>();
  const [measureTick, setMeasureTick] = createSignal(0);
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(600);
  let atBottom = true;
  let anchor: { key: string; delta: number } | null = null;
  /** An item scrolled to on request: it stays put while the rows around it are measured. */
  let pinned: { key: string; delta: number } | null = null;
  let adjusting = false;

  const keys = createMemo(() => props.items.map((item) => props.itemKey(item)));
  const offsets = createMemo(() => {
    measureTick();
    return computeOffsets(keys(), heights, props.estimateHeight ?? 64);
  });
  const range = createMemo(() => visibleRange(offsets(), scrollTop(), viewport(), OVERSCAN));
  // Keys, not fresh objects: <For> keeps a row mounted while its key stays in range.
  const visible = createMemo(() => keys().slice(...range()));
  const indexByKey = createMemo(() => {
    const map = new Map<string, number>();
    const k = keys();
    for (let i = 0; i < k.length; i++) map.set(k[i] as string, i);
    return map;
  });

  /** Remembers which row is at the top of the viewport, so layout changes can keep it still. */
  const captureAnchor = () => {
    const o = offsets();
    const top = scroller.scrollTop;
    // The first visible row that can anchor: headers such as "loading older" or a day separator
    // stay on top while older items are inserted below them, so the view must follow content.
    let i = indexAt(o, top);
    const accept = props.isAnchor;
    if (accept && i >= 0) {
      let j = i;
      while (j < props.items.length && (o[j] ?? 0) < top + scroller.clientHeight) {
        const item = props.items[j];
        if (item !== undefined && accept(item)) break;
        j++;
      }
      if (j < props.items.length && (o[j] ?? 0) < top + scroller.clientHeight) i = j;
    }
    const key = keys()[i];
    anchor = key === undefined ? null : { key, delta: scroller.scrollTop - (o[i] ?? 0) };
  };

  const restore = () => {
    const o = offsets();
    const total = o[o.length - 1] ?? 0;
    adjusting = true;
    if (atBottom) {
      scroller.scrollTop = total;
    } else if (anchor) {
      const i = indexByKey().get(anchor.key);
      if (i !== undefined) scroller.scrollTop = (o[i] ?? 0) + anchor.delta;
    }
    setScrollTop(scroller.scrollTop);
    queueMicrotask(() => {
      adjusting = false;
    });
  };

  const ro = new ResizeObserver((entries) => {
    let changed = false;
    for (const entry of entries) {
      const el = entry.target as HTMLElement;
      const key = el.dataset.key;
      if (!key) continue;
      const h = el.offsetHeight;
      if (h > 0 && heights.get(key) !== h) {
        heights.set(key, h);
        changed = true;
      }
    }
    if (changed) {
      if (pinned) anchor = pinned;
      else if (!atBottom) captureAnchor();
      setMeasureTick((t) => t + 1);
      restore();
    }
  });
  const viewportRo = new ResizeObserver(() => {
    setViewport(scroller.clientHeight);
    if (atBottom) restore();
  });

  onMount(() => {
    setViewport(scroller.clientHeight);
    viewportRo.observe(scroller);
    restore();
  });
  onCleanup(() => {
    ro.disconnect();
    viewportRo.disconnect();
  });

  // Items changed (new message, older page prepended, deletion): keep the view where the user is.
  createEffect(
    on(
      keys,
      () => {
        restore();
        maybeLoadOlder();
      },
      { defer: true },
    ),
  );
  createEffect(
    on(
      () => props.loadingOlder,
      (loading) => {
        if (!loading) queueMicrotask(maybeLoadOlder);
      },
      { defer: true },
    ),
  );
  createEffect(
    on(
      () => props.resetKey,
      () => {
        heights.clear();
        atBottom = true;
        anchor = null;
        setMeasureTick((t) => t + 1);
        restore();
      },
      { defer: true },
    ),
  );

  createEffect(
    on(
      () => props.scrollTo,
      (req) => {
        if (!req || indexByKey().get(req.key) === undefined) return;
        if (atBottom) {
          atBottom = false;
          props.onAtBottomChange?.(false);
        }
        pinned = { key: req.key, delta: -Math.round(scroller.clientHeight / 3) };
        anchor = pinned;
        restore();
      },
      { defer: true },
    ),
  );
  // The user moving the view ends the pin.
  const unpin = () => {
    pinned = null;
  };

  const maybeLoadOlder = () => {
    if (scroller.scrollTop < (props.topThreshold ?? 400)) props.onReachTop?.();
  };

  const onScroll = () => {
    setScrollTop(scroller.scrollTop);
    if (adjusting) return;
    const bottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= BOTTOM_SLACK;
    if (bottom !== atBottom) {
      atBottom = bottom;
      props.onAtBottomChange?.(bottom);
    }
    if (pinned) anchor = pinned;
    else captureAnchor();
    maybeLoadOlder();
  };

  const Row: Component<{ rowKey: string }> = (row) => {
    let el!: HTMLDivElement;
    onMount(() => ro.observe(el));
    onCleanup(() => ro.unobserve(el));
    const index = () => indexByKey().get(row.rowKey);
    const item = () => {
      const i = index();
      return i === undefined ? undefined : props.items[i];
    };
    const top = () => offsets()[index() ?? 0] ?? 0;
    return (
      <div ref={el} class="vrow" data-key={row.rowKey} style={{ transform: `translateY(${top()}px)` }}>
        <Show when={item()} keyed>
          {(it) => props.renderItem(it)}
        </Show>
      </div>
    );
  };

  return (
    <section
      ref={scroller}
      class={`vlist ${props.class ?? ''}`}
      tabindex="0"
      aria-label={props.label}
      onScroll={onScroll}
      onWheel={unpin}
      onTouchStart={unpin}
      onKeyDown={unpin}
      onPointerDown={unpin}
    >
      <div class="vlist-inner" style={{ height: `${offsets()[offsets().length - 1] ?? 0}px` }}>
        <For each={visible()}>{(key) => <Row rowKey={key} />}</For>
      </div>
    </section>
  );
}
