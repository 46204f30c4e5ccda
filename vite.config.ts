import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is served from app://assistant/ by Electron and from 127.0.0.1 by
// `anaplan-setup ui`: relative asset paths work for both. scripts/build.mjs builds into a
// staging folder (build.outDir given there) and swaps it in as out/renderer.
export default defineConfig({
  root: 'renderer',
  base: './',
  publicDir: '../assets',
  plugins: [react()],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome120',
    // No inline scripts or styles: the CSP is script-src 'self' / style-src 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // One chunk on purpose (loaded from disk or loopback); `npm run bench` holds it to 250 kB gzipped.
    chunkSizeWarningLimit: 700,
  },
});
