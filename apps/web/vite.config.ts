import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/** Where `vite` (dev) sends API calls: a `seasync serve` on its default port. */
const SERVER = process.env.SEASYNC_DEV_SERVER ?? 'http://127.0.0.1:8680'

/**
 * The dashboard's build: static files in `dist/` that `seasync serve` serves at `/`. In
 * development, `vite` serves the app and proxies the API (and its event stream) to the server.
 */
export default defineConfig({
  plugins: [react()],
  // Workspace packages resolve to their TypeScript source (STYLE.md §2); only types are imported.
  resolve: { conditions: ['@seasync/source'] },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
  server: {
    proxy: {
      '/api': { target: SERVER, changeOrigin: false },
      '/metrics': { target: SERVER, changeOrigin: false },
    },
  },
})
