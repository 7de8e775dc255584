import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The review dashboard: a static single-page app (web/dist), served by `bie serve` and by CloudFront. */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 900 },
});
