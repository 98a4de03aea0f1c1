/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// Tauri serves the built files itself; the dev server is only for `tauri dev`.
export default defineConfig({
  esbuild: { jsx: "automatic" },
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  // The UI is written against React's API and types and runs on Preact's compat layer: the
  // webview parses and runs 330 kB of JS at start-up with React against 130 kB with Preact,
  // which measured 20–30 ms off the time to an interactive wizard and 2 MiB off the web
  // process on this machine (issue 15). The tests run the same way, so they test what ships.
  resolve: {
    alias: [
      { find: /^react-dom\/client$/, replacement: "preact/compat/client" },
      { find: /^react-dom\/test-utils$/, replacement: "preact/test-utils" },
      { find: /^react-dom$/, replacement: "preact/compat" },
      { find: /^react\/jsx-runtime$/, replacement: "preact/jsx-runtime" },
      { find: /^react\/jsx-dev-runtime$/, replacement: "preact/jsx-dev-runtime" },
      { find: /^react$/, replacement: "preact/compat" },
      { find: /^@testing-library\/react$/, replacement: "@testing-library/preact" },
    ],
  },
  build: { target: "safari15", outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test-setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    // Bundled into the tests (not loaded by Node as is) so its `react` imports take the alias.
    server: { deps: { inline: [/@tanstack\/react-query/] } },
  },
});
