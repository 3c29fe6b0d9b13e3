import { defineConfig } from 'vite';

// The studio is served by the ASP.NET Core server from its wwwroot; `npm run dev` proxies the API to a running `cellsegflows serve`.
export default defineConfig({
  base: '/',
  build: {
    outDir: '../CellSegFlows.Server/wwwroot',
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:5080', '/openapi': 'http://127.0.0.1:5080' },
  },
});
