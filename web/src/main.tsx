import './lib/zod-config';
import { render } from 'solid-js/web';
import { App } from './App';
import './styles/base.css';
import './styles/controls.css';
import './styles/layout.css';
import './styles/conversation.css';
import './styles/pages.css';

const root = document.getElementById('root');
if (root) render(() => <App />, root);
