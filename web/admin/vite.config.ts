import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const devApi = process.env.ATTEST_DEV_API ?? 'http://127.0.0.1:3000';

/*
 * The admin console: built into dist/web/admin and served by Fastify under /admin (src/admin).
 * `@attest/…` reaches the server's zod contracts in src/, so the console validates with the very
 * schemas the API does. The emitted HTML has no inline script or style: it runs under the same
 * strict Content-Security-Policy as every other response.
 */
export default defineConfig({
  root: here,
  base: '/admin/',
  plugins: [react()],
  resolve: { alias: { '@attest': path.resolve(here, '../../src') } },
  build: {
    outDir: path.resolve(here, '../../dist/web/admin'),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Inlined assets would become data: URLs, and the policy allows those for images only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npm run dev:admin` next to `npm run dev`: the BFF sees its own origin on every request.
    proxy: { '/bff': { target: devApi, changeOrigin: true, headers: { origin: devApi } } },
  },
});
