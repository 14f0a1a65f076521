// prepack and postpack of @plexus/plugin-sdk (`npm pack`, `npm publish`).
//
// In the Plexus checkout the package runs from its .ts sources: "exports" and
// "imports" in package.json name src/*.ts, which Node strips of their types as
// it loads them, so the host and the tests need no build. Installed from a
// tarball, the package sits under node_modules, where Node refuses to strip
// types: the tarball must carry JavaScript, .d.ts files for authors' types,
// and a package.json that names them. npm packs the package.json on disk, so
// prepack compiles src/ into dist/ and rewrites package.json for the length of
// the pack; postpack puts the original bytes back and removes dist/, so the
// checkout never resolves the SDK to a dist/ that could be older than src/.
// Only "exports" and "imports" differ: the bin path, "files" and the
// dependencies are the same in both, because `npm publish` sends the registry
// the package.json it reads after postpack.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

type Exports = Record<string, string>;
type PackedExports = Record<string, string | { types: string; default: string }>;

interface Manifest<E> {
  exports: E;
  imports: Exports;
  [field: string]: unknown;
}
/** The checkout's package.json: every target one path. */
export type SdkManifest = Manifest<Exports>;

const SDK = new URL('../', import.meta.url);
const MANIFEST = new URL('package.json', SDK);
const DIST = new URL('dist/', SDK);
/**
 * Exists from prepack to postpack: two packs of one checkout would compile
 * into the same dist/ and each restore the other's package.json. It keeps the
 * original package.json, from which postpack restores it.
 */
const PACKING = new URL('.packing/', SDK);
const ORIGINAL = new URL('package.json', PACKING);
const SOURCE_FILE = /^\.\/src\/(.+)\.ts$/;

/** `./src/<path>.ts` → `./dist/<path><ext>`; other targets (./package.json) stay. */
function compiled(target: string, ext: '.js' | '.d.ts'): string {
  const match = SOURCE_FILE.exec(target);
  return match ? `./dist/${match[1]}${ext}` : target;
}

/** The package.json the tarball carries: every src/*.ts target is its compiled dist/ file. */
export function packedManifest(manifest: SdkManifest): Manifest<PackedExports> {
  const exports: PackedExports = {};
  for (const [key, target] of Object.entries(manifest.exports)) {
    exports[key] = SOURCE_FILE.test(target) ? { types: compiled(target, '.d.ts'), default: compiled(target, '.js') } : target;
  }
  const imports: Exports = {};
  for (const [key, target] of Object.entries(manifest.imports)) imports[key] = compiled(target, '.js');
  return { ...manifest, exports, imports };
}

const isTargetMap = (value: unknown): value is Exports =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');

/** Refuses a package.json this script did not write for: conditional or nested targets would need their own mapping. */
export function parseSdkManifest(text: string): SdkManifest {
  const manifest: unknown = JSON.parse(text);
  if (typeof manifest !== 'object' || manifest === null) throw new Error('package.json is not an object');
  const { exports, imports } = manifest as Record<string, unknown>;
  if (!isTargetMap(exports) || !isTargetMap(imports)) throw new Error('package.json "exports" and "imports" must map each key to one path');
  return { ...manifest, exports, imports };
}

const exists = (url: URL): Promise<boolean> => stat(url).then(() => true, () => false);

function compile(): void {
  const tsc = fileURLToPath(import.meta.resolve('typescript/bin/tsc'));
  const result = spawnSync(process.execPath, [tsc, '-p', fileURLToPath(new URL('tsconfig.build.json', SDK))], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`tsc failed (${result.error?.message ?? `exit code ${result.status}`})`);
}

async function prepack(): Promise<void> {
  try {
    await mkdir(PACKING);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    throw new Error(`${fileURLToPath(PACKING)} exists: another pack of this checkout is running, or one was interrupted. If none is running, \`npm run postpack\` in plugin-sdk restores package.json and clears it.`);
  }
  try {
    const text = await readFile(MANIFEST, 'utf8');
    const packed = packedManifest(parseSdkManifest(text));
    await rm(DIST, { recursive: true, force: true });
    compile();
    const targets = [...Object.values(packed.exports).flatMap((t) => (typeof t === 'string' ? [t] : [t.types, t.default])), ...Object.values(packed.imports)];
    const missing = (await Promise.all(targets.map(async (t) => ((await exists(new URL(t, SDK))) ? [] : [t])))).flat();
    if (missing.length > 0) throw new Error(`the build did not produce ${missing.join(', ')}`);
    await copyFile(MANIFEST, ORIGINAL);
    // Written beside, then renamed over: a process reading package.json meanwhile sees one whole file or the other.
    const next = new URL('packed.json', PACKING);
    await writeFile(next, `${JSON.stringify(packed, null, 2)}\n`);
    await rename(next, MANIFEST);
  } catch (err) {
    await postpack();
    throw err;
  }
}

async function postpack(): Promise<void> {
  if (await exists(ORIGINAL)) await rename(ORIGINAL, MANIFEST);
  await rm(DIST, { recursive: true, force: true });
  await rm(PACKING, { recursive: true, force: true });
}

if (import.meta.main) {
  const step = process.argv[2];
  if (step === 'prepack') await prepack();
  else if (step === 'postpack') await postpack();
  else throw new Error(`usage: node scripts/pack.ts prepack|postpack (not ${String(step)})`);
}
