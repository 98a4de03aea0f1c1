/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from "vite";

/**
 * The entry (`src/main.tsx`) only sends the start-up call and then imports the app's chunks, so
 * the webview would learn of those chunks only once the entry has been fetched and run. Listing
 * them as `modulepreload` in index.html lets it fetch them while it fetches the entry (issue 15).
 */
function preloadEntryImports(): Plugin {
  return {
    name: "preload-entry-imports",
    apply: "build",
    enforce: "post",
    transformIndexHtml: {
      order: "post",
      handler(_html, ctx) {
        const bundle = ctx.bundle ?? {};
        const entry = Object.values(bundle).find((c) => c.type === "chunk" && c.isEntry);
        if (!entry || entry.type !== "chunk") return [];
        // The entry's dynamic imports and what they import in turn.
        const files = new Set<string>();
        const visit = (file: string) => {
          const chunk = bundle[file];
          if (file === entry.fileName || files.has(file) || chunk?.type !== "chunk") return;
          files.add(file);
          chunk.imports.forEach(visit);
        };
        entry.dynamicImports.forEach(visit);
        return [...files].map((file) => ({
          tag: "link",
          attrs: { rel: "modulepreload", crossorigin: true, href: `/${file}` },
          injectTo: "head" as const,
        }));
      },
    },
  };
}

// Tauri serves the built files itself; the dev server is only for `tauri dev`.
export default defineConfig({
  esbuild: { jsx: "automatic" },
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  plugins: [preloadEntryImports()],
  build: { target: "safari15", outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test-setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
