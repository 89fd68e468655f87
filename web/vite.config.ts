import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';
import { compress } from './build/compress.ts';
import { sri } from './build/sri.ts';

const RELAY = process.env.PARLEY_RELAY_URL ?? 'http://localhost:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // compress runs last, once sri has written index.html's hashes and import map.
  plugins: [solid(), sri(), compress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The relay's CSP forbids inline scripts: no modulepreload polyfill (it is injected inline).
    modulePreload: { polyfill: false },
    // libsodium carries its wasm inside the JS; never inline assets as data: URLs either.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2048,
    sourcemap: false,
  },
  worker: { format: 'es' },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: RELAY, changeOrigin: false },
      '/ws': { target: RELAY, ws: true, changeOrigin: false },
    },
  },
});
