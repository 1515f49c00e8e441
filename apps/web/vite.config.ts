// The SPA is built to dist/ and served by `labelport serve` at `/` on the API's port.
// In development (`npm run dev --workspace @labelport/web`) API calls go to LABELPORT_ENDPOINT.
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

const endpoint = process.env['LABELPORT_ENDPOINT'] ?? 'http://127.0.0.1:7440'

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/v1': endpoint, '/healthz': endpoint } },
})
