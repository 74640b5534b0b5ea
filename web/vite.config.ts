// The control room's build: `vite build --config web/vite.config.ts` writes dist/web, which
// `phaseline serve` serves at `/` (src/server/web-app.ts). In development, `vite --config
// web/vite.config.ts` proxies the API to a running `phaseline serve` on $PHASELINE_API.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.PHASELINE_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        // The map library in its own file: the page's budget is counted without it.
        manualChunks: (id: string) => (id.includes('node_modules/maplibre-gl') ? 'maplibre' : undefined),
      },
    },
  },
  server: { proxy: { '/v1': api, '/log': api } },
});
