// A URL as the CLI's messages show it. An operator may put basic auth in a
// URL (a registry's token, a proxy in front of the admin API), and usage
// errors and "cannot reach" lines end up in terminals and CI logs: the user
// and password become ***, the rest (scheme, host, port, path) stays to say
// which URL it was. Textual, so a URL that does not parse is masked too: the
// authority ends at the first / ? # or \, and its last @ ends the userinfo
// (as the WHATWG parser reads it).
const USERINFO = /^(\s*[A-Za-z][A-Za-z0-9+.-]*:[\\/]*)[^\\/?#]*@/;

export function shownUrl(text: string): string {
  return text.replace(USERINFO, '$1***@');
}
