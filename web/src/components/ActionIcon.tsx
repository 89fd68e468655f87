// Line icons for the message menu, as inline SVG (attributes only, so the CSP is happy).
import { type Component, type JSX, Match, Switch } from 'solid-js';

export type ActionIconName = 'smile' | 'reply' | 'edit' | 'trash';

export const ActionIcon: Component<{ name: ActionIconName }> = (props) => {
  const common: JSX.SvgSVGAttributes<SVGSVGElement> = {
    viewBox: '0 0 24 24',
    width: '16',
    height: '16',
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '2',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
  };
  return (
    <svg {...common} class="icon" aria-hidden="true">
      <Switch>
        <Match when={props.name === 'smile'}>
          <circle cx="12" cy="12" r="9" />
          <path d="M8.5 14.5a4.5 4.5 0 0 0 7 0M9 9.5h.01M15 9.5h.01" />
        </Match>
        <Match when={props.name === 'reply'}>
          <path d="M10 8 5 12l5 4" />
          <path d="M5 12h9a5 5 0 0 1 5 5v1" />
        </Match>
        <Match when={props.name === 'edit'}>
          <path d="M4 20h4L19 9l-4-4L4 16z" />
          <path d="m13.5 6.5 4 4" />
        </Match>
        <Match when={props.name === 'trash'}>
          <path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3" />
        </Match>
      </Switch>
    </svg>
  );
};
