import './lib/zod-config';
import { render } from 'solid-js/web';
import { App } from './App';
import { preloadCrypto } from './client';
import './styles/base.css';
import './styles/controls.css';
import './styles/layout.css';
import './styles/conversation.css';
import './styles/pages.css';
import './styles/rich.css';

const root = document.getElementById('root');
if (root) render(() => <App />, root);
// libsodium is not in this bundle (crypto-core imports it in ready()): start loading it once the
// first frame is painted, so the form shows first and the keys are ready by the time it is sent.
requestAnimationFrame(() => setTimeout(preloadCrypto, 0));
