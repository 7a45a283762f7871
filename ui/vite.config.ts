import { defineConfig } from "vitest/config";

// Everything is bundled into dist/: no CDN, no runtime fetch. Preact's JSX through esbuild,
// so no Babel plugin is needed.
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
