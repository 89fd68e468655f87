// Small UI state shared across the shell: the mobile navigation drawer.
import { createSignal } from 'solid-js';

const [drawerOpen, setDrawerOpen] = createSignal(false);

export { drawerOpen, setDrawerOpen };
