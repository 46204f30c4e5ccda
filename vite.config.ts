import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is served from file:// by Electron and from 127.0.0.1 by `anaplan-setup ui`:
// relative asset paths work for both.
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
  },
});
