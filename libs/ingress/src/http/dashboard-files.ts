// The usage dashboard's files (GET /dashboard): a static page, its script and style, and Chart.js from
// node_modules, all served by the gateway so that nothing loads from the internet. The page holds no
// data: it asks for the admin key and reads the usage API (/admin/v1/usage) with it.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const DASHBOARD_PATH = '/dashboard';

interface DashboardFile {
  contentType: string;
  body: Buffer;
}

// __dirname is this source folder in a bundle too (tools/build-services.mjs); the Dockerfile copies it.
const PAGE_DIR = path.join(__dirname, '../dashboard');

const SOURCES: Record<string, { file: () => string; contentType: string }> = {
  [DASHBOARD_PATH]: { file: () => path.join(PAGE_DIR, 'index.html'), contentType: 'text/html; charset=utf-8' },
  [`${DASHBOARD_PATH}/dashboard.js`]: { file: () => path.join(PAGE_DIR, 'dashboard.js'), contentType: 'text/javascript; charset=utf-8' },
  [`${DASHBOARD_PATH}/dashboard.css`]: { file: () => path.join(PAGE_DIR, 'dashboard.css'), contentType: 'text/css; charset=utf-8' },
  // chart.js exports no path to its UMD build; it sits beside the CommonJS entry point.
  [`${DASHBOARD_PATH}/chart.umd.min.js`]: { file: () => path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), contentType: 'text/javascript; charset=utf-8' },
};

/**
 * The page's scripts and styles come from the gateway alone, and no other site may frame it (it is
 * shown the admin key).
 */
export const DASHBOARD_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const loaded = new Map<string, DashboardFile>();

/** The file a dashboard path names, read once; undefined for any other path. */
export function dashboardFile(urlPath: string): DashboardFile | undefined {
  const source = SOURCES[urlPath];
  if (!source) return undefined;
  let file = loaded.get(urlPath);
  if (!file) {
    file = { contentType: source.contentType, body: fs.readFileSync(source.file()) };
    loaded.set(urlPath, file);
  }
  return file;
}
