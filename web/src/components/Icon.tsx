// A few line icons as inline SVG (attributes only, no style attributes, so the CSP is happy).
import { type Component, type JSX, Match, Switch } from 'solid-js';

export type IconName = 'megaphone' | 'hash' | 'menu' | 'shield' | 'lock' | 'users';

export const Icon: Component<{ name: IconName; class?: string }> = (props) => {
  const common: JSX.SvgSVGAttributes<SVGSVGElement> = {
    viewBox: '0 0 24 24',
    width: '18',
    height: '18',
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '2',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
  };
  return (
    <svg {...common} class={`icon ${props.class ?? ''}`} aria-hidden="true">
      <Switch>
        <Match when={props.name === 'megaphone'}>
          <path d="M3 11v2a1 1 0 0 0 1 1h2l5 4V6L6 10H4a1 1 0 0 0-1 1z" />
          <path d="M15 9a4 4 0 0 1 0 6" />
          <path d="M18 6a8 8 0 0 1 0 12" />
        </Match>
        <Match when={props.name === 'hash'}>
          <path d="M5 9h14M5 15h14M10 3 8 21M16 3l-2 18" />
        </Match>
        <Match when={props.name === 'menu'}>
          <path d="M4 6h16M4 12h16M4 18h16" />
        </Match>
        <Match when={props.name === 'shield'}>
          <path d="M12 3 5 6v6c0 4.5 3 7.5 7 9 4-1.5 7-4.5 7-9V6z" />
          <path d="m9 12 2 2 4-4" />
        </Match>
        <Match when={props.name === 'users'}>
          <circle cx="9" cy="8" r="3.5" />
          <path d="M2.5 20a6.5 6.5 0 0 1 13 0" />
          <path d="M16 4.5a3.5 3.5 0 0 1 0 7M18 14a6.5 6.5 0 0 1 3.5 6" />
        </Match>
        <Match when={props.name === 'lock'}>
          <rect x="5" y="11" width="14" height="10" rx="2" />
          <path d="M8 11V7a4 4 0 0 1 8 0v4" />
        </Match>
      </Switch>
    </svg>
  );
};
