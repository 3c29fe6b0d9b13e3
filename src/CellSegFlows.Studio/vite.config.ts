import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

/**
 * X6 puts its stylesheets into the page as `<style>` elements made at run time, which the studio's
 * Content-Security-Policy (`style-src 'self'`) refuses. This plugin swaps X6's style loader for a no-op module and
 * serves the same rules (read from X6's own `style/raw.js` files at build time) as `virtual:x6.css`, which Vite bundles
 * into the studio's stylesheet file: same CSS, served from 'self'.
 */
function x6StylesAsFile(): Plugin {
  const x6Root = dirname(createRequire(import.meta.url).resolve('@antv/x6/package.json'));
  const sheets = ['style', 'plugin/selection/style', 'plugin/dnd/style', 'plugin/snapline/style'];
  const noopLoader = '\0x6-css-loader';
  return {
    name: 'x6-styles-as-file',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === 'virtual:x6.css') return '\0virtual:x6.css';
      if (importer && importer.includes('@antv/x6') && /[\\/]css-loader([\\/]index(\.js)?)?$/.test(source)) return noopLoader;
      return null;
    },
    load(id) {
      if (id === noopLoader) return 'export function ensure() {}\nexport function clean() {}\n';
      if (id === '\0virtual:x6.css') {
        return sheets.map((s) => {
          const raw = readFileSync(join(x6Root, 'es', s, 'raw.js'), 'utf8');
          const match = /export const content = (`[\s\S]*`|"[\s\S]*"|'[\s\S]*');?\s*(\/\/.*)?$/.exec(raw.trim());
          if (!match) throw new Error(`x6-styles-as-file: ${s}/raw.js is not a single exported string`);
          return `/* @antv/x6 ${s} */\n${Function(`return ${match[1]}`)() as string}`;
        }).join('\n');
      }
      return null;
    },
  };
}

// The studio is served by the ASP.NET Core server from its wwwroot; `npm run dev` proxies the API to a running `cellsegflows serve`.
export default defineConfig({
  base: '/',
  plugins: [x6StylesAsFile()],
  build: {
    outDir: '../CellSegFlows.Server/wwwroot',
    emptyOutDir: true,
    sourcemap: false,
    // X6 makes the main chunk about 640 kB; elkjs (1.5 MB) is its own chunk, loaded when a layout is first needed.
    chunkSizeWarningLimit: 1600,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:5080', '/openapi': 'http://127.0.0.1:5080' },
  },
});
