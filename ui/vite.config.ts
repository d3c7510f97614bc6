import { defineConfig } from 'vite';

// Static files in dist/ that any web server can host (relative base, so a sub-path works too).
export default defineConfig({
  base: './',
  // The records worker imports the WebAssembly module (ES module workers: Chromium, Firefox,
  // Safari 15+).
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
