// The bar on top of every main view: the drawer button (phone width), a title, and actions.
import type { Component, JSX } from 'solid-js';
import { drawerOpen, setDrawerOpen } from '../stores/ui';
import { Icon } from './Icon';

interface TopbarProps {
  title: string;
  subtitle?: string | undefined;
  /** e.g. an avatar before the title. */
  leading?: JSX.Element;
  /** e.g. a verified badge after the title. */
  badge?: JSX.Element;
  children?: JSX.Element;
}

export const Topbar: Component<TopbarProps> = (props) => (
  <header class="topbar">
    <button
      type="button"
      class="btn btn-ghost btn-icon menu-btn"
      aria-label="Open navigation"
      aria-controls="sidebar"
      aria-expanded={drawerOpen() ? 'true' : 'false'}
      onClick={() => setDrawerOpen(true)}
    >
      <Icon name="menu" />
    </button>
    <div class="topbar-title">
      {props.leading}
      <div>
        <div class="row">
          <h1>{props.title}</h1>
          {props.badge}
        </div>
        {props.subtitle ? <div class="sub">{props.subtitle}</div> : null}
      </div>
    </div>
    {props.children}
  </header>
);
