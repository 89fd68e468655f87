// The frame of the signed-out screens: brand, a card, and a footnote about where keys live.
import type { Component, JSX } from 'solid-js';

interface AuthLayoutProps {
  title: string;
  tagline?: string;
  children: JSX.Element;
}

export const AuthLayout: Component<AuthLayoutProps> = (props) => (
  <main class="auth" id="main">
    <div class="auth-card">
      <div class="auth-brand">
        <img src="/favicon.svg" alt="" width="36" height="36" />
        <span class="visually-hidden">Parley</span>
        <h1>{props.title}</h1>
      </div>
      {props.tagline ? <p class="auth-tagline">{props.tagline}</p> : null}
      <div class="card">{props.children}</div>
      <p class="auth-switch hint">
        Your keys are made and kept in this browser. The server stores and relays your messages only in
        encrypted form; it still sees who talks to whom, and when.
      </p>
    </div>
  </main>
);
