// Hash routing (no server-side fallback needed, works from any relay path). A route is parsed from
// `location.hash` into a small discriminated union; `navigate` writes the hash.
import { createSignal } from 'solid-js';

export type Route =
  | { name: 'home' }
  | { name: 'login' }
  /** `invite`: the code of an invite link, `#/register?invite=<code>`. */
  | { name: 'register'; invite: string | null }
  | { name: 'recover' }
  | { name: 'channel'; channelId: string; panel: 'members' | null }
  | { name: 'verify'; userId: string; channelId: string | null }
  | { name: 'profile' }
  | { name: 'admin' };

/** Parses `#/c/<id>`, `#/c/<id>/members`, `#/verify/<userId>[?from=<channelId>]`, `#/profile`, … */
export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  switch (parts[0]) {
    case 'login':
      return { name: 'login' };
    case 'register':
      return { name: 'register', invite: params.get('invite') || null };
    case 'recover':
      return { name: 'recover' };
    case 'profile':
      return { name: 'profile' };
    case 'admin':
      return { name: 'admin' };
    case 'c':
      if (parts[1])
        return { name: 'channel', channelId: parts[1], panel: parts[2] === 'members' ? 'members' : null };
      return { name: 'home' };
    case 'verify':
      if (parts[1]) return { name: 'verify', userId: parts[1], channelId: params.get('from') };
      return { name: 'home' };
    default:
      return { name: 'home' };
  }
}

export function routeHref(route: Route): string {
  const e = encodeURIComponent;
  switch (route.name) {
    case 'home':
      return '#/';
    case 'channel':
      return `#/c/${e(route.channelId)}${route.panel ? `/${route.panel}` : ''}`;
    case 'verify':
      return `#/verify/${e(route.userId)}${route.channelId ? `?from=${e(route.channelId)}` : ''}`;
    case 'register':
      return `#/register${route.invite ? `?invite=${e(route.invite)}` : ''}`;
    default:
      return `#/${route.name}`;
  }
}

const [route, setRoute] = createSignal<Route>(
  typeof location === 'undefined' ? { name: 'home' } : parseRoute(location.hash),
);

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => setRoute(parseRoute(location.hash)));
}

export { route };

export function navigate(next: Route, opts: { replace?: boolean } = {}): void {
  const href = routeHref(next);
  if (opts.replace) history.replaceState(null, '', href);
  else if (location.hash !== href) history.pushState(null, '', href);
  setRoute(parseRoute(href));
}
