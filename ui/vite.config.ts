import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vitest/config'

// Built into ui/dist, which the desktop shell bundles (tauri.conf.json frontendDist).
export default defineConfig({
  plugins: [svelte()],
  // Tauri's CLI prints its own errors; keep Vite's output readable in scripts.
  clearScreen: false,
  build: {
    // The CSP allows fonts and images from 'self' only: never inline them as data: URLs.
    assetsInlineLimit: 0,
    // WebKitGTK 2.50 (Linux), WKWebView (macOS), WebView2 (Windows): all current.
    target: 'es2022',
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
