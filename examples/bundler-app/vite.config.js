// Vite configuration of the bundler example.
//
// `rtc-peer` resolves to the wasm-pack `--target bundler` build in ../../pkg-bundler (built by
// `cargo xtask test`, or `wasm-pack build --release --target bundler --out-dir pkg-bundler`).
// An app using the published package would `npm install rtc-peer` and drop the alias.
// vite-plugin-wasm gives Vite the WebAssembly ESM integration that the bundler target's
// `import * as wasm from "./rtc_peer_bg.wasm"` needs.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import wasm from "vite-plugin-wasm";

export default defineConfig({
  base: "./",
  plugins: [wasm()],
  resolve: {
    alias: {
      "rtc-peer": fileURLToPath(new URL("../../pkg-bundler", import.meta.url)),
    },
  },
  build: {
    // Top-level await (how the wasm module is instantiated) needs an ES2022 target.
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
  },
});
