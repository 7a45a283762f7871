import { defineConfig } from "vitest/config";

// Everything is bundled into dist/: no CDN, no fetch from elsewhere. Preact's JSX through
// esbuild, so no Babel plugin is needed. The map's Natural Earth basemap (the `world-atlas`
// package) is bundled too, as asset files the map fetches from the app itself when it first
// shows (src/geo/basemap.ts).
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    target: "es2021",
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: { port: 5173, strictPort: true },
  test: { include: ["test/**/*.test.ts"], environment: "node" },
});
