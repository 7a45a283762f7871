import { defineConfig } from "vite";

// The force console: a second entry (console/index.html → src/console/), served by the force
// server at /console/ from dist-console. Everything is bundled, the Natural Earth basemap
// included (as asset files the map fetches from the console's own origin when it first shows,
// src/geo/basemap.ts): no CDN, no runtime fetch from elsewhere, and nothing inline, since the
// server's CSP allows only 'self'.
const here = (p: string) => decodeURIComponent(new URL(p, import.meta.url).pathname);

export default defineConfig({
  root: here("./console"),
  base: "/console/",
  publicDir: false,
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  json: { stringify: true },
  build: {
    target: "es2021",
    outDir: here("./dist-console"),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 4096,
  },
  server: { port: 5174, strictPort: true, fs: { allow: [here(".")] } },
});
