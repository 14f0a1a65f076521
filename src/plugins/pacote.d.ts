// Types for the part of pacote (npm's own fetcher) the installer uses; pacote
// ships none. Only what src/plugins calls is declared, so a pacote change that
// breaks it fails the type check here rather than at install time.
declare module 'pacote' {
  export interface PacoteOptions {
    registry?: string;
    /** cacache folder for packuments and tarballs. */
    cache?: string;
    /** SRI the tarball must match (EINTEGRITY otherwise). */
    integrity?: string;
    /** Where the tarball is, when already known (skips a packument request). */
    resolved?: string;
    fullMetadata?: boolean;
    /** Per-request time limit in ms (npm-registry-fetch); 0 = none. */
    timeout?: number;
    preferOnline?: boolean;
    /** Never run `prepare` (directory specs) or any other script. */
    ignoreScripts?: boolean;
    allowGit?: boolean | 'all' | 'none' | 'root';
    allowRemote?: boolean | 'all' | 'none' | 'root';
    allowFile?: boolean | 'all' | 'none' | 'root';
    allowDirectory?: boolean | 'all' | 'none' | 'root';
    allowRegistry?: boolean | 'all' | 'none' | 'root';
    /** The Arborist node of a directory spec: npm-packlist reads `path`, `package`, `isProjectRoot` and `edgesOut`. */
    tree?: { path: string; package: Record<string, unknown>; isProjectRoot: boolean; edgesOut: Map<string, unknown> };
  }

  export interface PackumentVersion {
    name: string;
    version: string;
    deprecated?: string;
    plexus?: unknown;
    dist?: { tarball?: string; integrity?: string; shasum?: string };
    [field: string]: unknown;
  }

  export interface Packument {
    name: string;
    'dist-tags': Record<string, string>;
    versions: Record<string, PackumentVersion>;
  }

  export type TarballData = Buffer & { integrity: string; resolved: string; from: string };

  export function packument(spec: string, options?: PacoteOptions): Promise<Packument>;
  export function tarball(spec: string, options?: PacoteOptions): Promise<TarballData>;

  const pacote: { packument: typeof packument; tarball: typeof tarball };
  export default pacote;
}
