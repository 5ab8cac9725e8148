import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Where `linli device` looks for the bundle (bin/device-bundle.js reads the same names). */
export const DEVICE_DIST = join(REPO, 'dist', 'device');
export const DEVICE_ENTRY = 'linli-device.mjs';
export const DEVICE_BUILD_INFO = 'build.json';

/**
 * Native addons and packages that load files or binaries by path at run time stay in node_modules: they are
 * imported lazily, only in the roles that use them (sharp: images and LED frames; serialport/usb: hardware
 * transports; playwright-core: the lobby's own headless Chromium).
 */
export const DEVICE_EXTERNAL = [
  'sharp',
  'serialport',
  '@serialport/*',
  'usb',
  'playwright-core',
  'better-sqlite3',
  'unix-dgram',
];

/**
 * Every output file (entry and chunks) starts with this. fastify and pino are CommonJS and require Node
 * built-ins, and an ESM bundle has no `require`, so each file gets one. `__linliRoot` is the checkout (or
 * release tree) the bundle was built in, found from the file's own place (entry in `<out>/`, chunks in
 * `<out>/chunks/`), so that files read at run time (kiosk UI, player page) still resolve (see sourceUrls).
 */
function banner(rootFromOut: string): string {
  const up = rootFromOut.endsWith('/') ? rootFromOut : `${rootFromOut}/`;
  return [
    "import { createRequire as __linliCreateRequire } from 'node:module';",
    'const require = __linliCreateRequire(import.meta.url);',
    `const __linliRoot = new URL(/\\/chunks\\/[^/]+$/.test(import.meta.url) ? ${JSON.stringify(`../${up}`)} : ${JSON.stringify(up)}, import.meta.url);`,
  ].join(' ');
}

/**
 * Our sources that find files next to themselves (`new URL('../ui/app.js', import.meta.url)`) keep doing so
 * from the bundle: their `import.meta.url` becomes their own source path under `__linliRoot`. A release tree
 * therefore ships those asset folders (kiosk/src/ui, notice-render/lobby/static, signage/src/kiosk-overlay).
 */
function sourceUrls(): Plugin {
  return {
    name: 'linli-source-urls',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const rel = relative(REPO, args.path).split('\\').join('/');
        return {
          contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, __linliRoot).href`),
          loader: 'ts',
        };
      });
    },
  };
}

export interface DeviceBundle {
  entry: string;
  bytes: number;
  inputs: number;
}

/**
 * Bundles the device runtime (`linli enroll` and `linli device`, cli/device-main.ts) into one ESM entry plus
 * chunks for what loads lazily (each role, each driver, simulators), so a lobby screen never parses the
 * payment code. `build.json` lists the source files it came from: bin/linli.js runs the bundle only while
 * none of them is newer (a checkout that changed falls back to tsx, never to stale code).
 */
export async function buildDeviceBundle(outDir = DEVICE_DIST): Promise<DeviceBundle> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const startedAt = Date.now();
  const result = await build({
    absWorkingDir: REPO,
    entryPoints: { 'linli-device': join(REPO, 'cli', 'device-main.ts') },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: DEVICE_EXTERNAL,
    banner: { js: banner(relative(outDir, REPO).split('\\').join('/') || '.') },
    plugins: [sourceUrls()],
    sourcemap: 'linked',
    // V8 keeps each module's source text in the heap, as UTF-16 if any character is outside Latin-1. Our
    // comments have CJK and typographic characters: without comments and with ASCII escapes, the 1.9 MB
    // runtime chunk is held as one-byte text, 3.7 MB less heap per process (docs/benchmarks.md).
    minifyWhitespace: true,
    charset: 'ascii',
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((f) => !f.includes('node_modules/'))
    .concat('package.json', 'package-lock.json')
    .sort();
  const bytes = Object.entries(result.metafile.outputs)
    .filter(([f]) => f.endsWith('.mjs'))
    .reduce((s, [, o]) => s + o.bytes, 0);
  await writeFile(
    join(outDir, DEVICE_BUILD_INFO),
    `${JSON.stringify({ builtAt: startedAt, entry: DEVICE_ENTRY, inputs, root: relative(outDir, REPO) || '.' }, null, 2)}\n`,
  );
  return { entry: join(outDir, DEVICE_ENTRY), bytes, inputs: inputs.length };
}
