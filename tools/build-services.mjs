#!/usr/bin/env node
// `npm run build [app...]`: bundles each app, apps/<app>/src/main.ts (the six distributed services and
// the embedded gateway), with esbuild into dist/<app>/main.js (+ source map). Why: run through tsx,
// each service carried the TypeScript loader (its own thread and transform caches) and a module per
// source file: 105-160 MB resident when idle; from a bundle, with the flags below, 80-95 MB (issue 5
// asks for under 100). Without tsx's wrappers the embedded gateway also spends ~10% less CPU a request.
// `npm start`, tools/start-distributed.mjs and the bench build before starting; it takes under a second.
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SERVICES = ['analytics', 'metering', 'provider-worker', 'guardrail', 'router', 'ingress'];
export const APPS = [...SERVICES, 'embedded'];
/**
 * How a bundle is run: `node ${SERVICE_NODE_ARGS} dist/<service>/main.js`. V8's default semi-space,
 * 16 MB, is reached under load and kept when idle. 8 MB took 5-15 MB off the busier services once
 * idle; but after a longer warm-up (6 s over HTTP and 6 s over gRPC) the ingress held 100-103 MB with
 * 8 MB and 96 MB with 4 MB, the others 4-10 MB less too. CPU per request at 200 rps across the six:
 * 5.77 ms with 8 MB, 5.76 ms with 4 MB (the scavenges are more frequent, each shorter).
 */
export const SERVICE_NODE_ARGS = ['--enable-source-maps', '--max-semi-space-size=4'];
/** The embedded gateway keeps V8's default young generation: its memory has no target, its latency has. */
export const EMBEDDED_NODE_ARGS = ['--enable-source-maps'];

// libs/config and libs/contracts find infra/ and proto/ from their own __dirname; in a bundle that
// would be dist/<service>, so each workspace file's __dirname is pointed back at its source folder.
const sourceDirname = {
  name: 'source-dirname',
  setup(build) {
    build.onLoad({ filter: /[/\\](apps|libs)[/\\].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('__dirname')) return undefined;
      const fromBundle = path.relative(build.initialOptions.outdir, path.dirname(args.path)).split(path.sep).join('/');
      return { contents: text.replaceAll(/\b__dirname\b/g, `require('node:path').join(__dirname, ${JSON.stringify(fromBundle)})`), loader: 'ts' };
    });
  },
};

/** Builds the apps' bundles; rewrites only files that changed, each atomically (rename), so a
 *  service starting from dist/ meanwhile (another test run's) never reads half a file. */
export async function buildServices(apps = APPS) {
  const unknown = apps.filter((app) => !APPS.includes(app));
  if (unknown.length > 0) throw new Error(`no such app: ${unknown.join(', ')} (the apps: ${APPS.join(', ')})`);
  try {
    await Promise.all(apps.map((app) => bundle(path.join(root, `apps/${app}/src/main.ts`), path.join(root, 'dist', app))));
  } finally {
    // esbuild keeps its helper process (~35 MB) for later calls; the caller here lives on with the services.
    await esbuild.stop();
  }
}

/** Bundles one TypeScript entry point into `outdir` as the apps are (the bench's own processes too). */
export async function bundle(entry, outdir) {
  const result = await esbuild.build({
    entryPoints: [entry],
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Stack traces need the mappings only; the sources are in the repository.
    sourcemap: true,
    sourcesContent: false,
    // npm packages load from node_modules as they are: libs/bus patches a kafkajs module by its
    // path, some packages read files beside their own code (grpc-health-check's .proto), and
    // bundled they took more memory (whole packages' source and a source map of megabytes).
    packages: 'external',
    tsconfig: path.join(root, 'tsconfig.base.json'),
    plugins: [sourceDirname],
    write: false,
    logLevel: 'warning',
  });
  mkdirSync(outdir, { recursive: true });
  for (const file of result.outputFiles) {
    let current;
    try {
      current = readFileSync(file.path);
    } catch {
      current = undefined;
    }
    if (current?.equals(file.contents)) continue;
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildServices(process.argv.length > 2 ? process.argv.slice(2) : APPS);
}
