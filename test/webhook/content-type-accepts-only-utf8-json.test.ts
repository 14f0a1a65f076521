// What the webhook route reads: application/json and +json types, in UTF-8.
// Everything else is 415 from the header alone.
import { test } from 'node:test';
import { assertJsonContentType } from '../../src/ingress/webhook/http/content-type.ts';
import { assertPlexusError } from './helpers.ts';

test('JSON media types are accepted, with or without a UTF-8 charset, in any case', () => {
  for (const header of ['application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/cloudevents+json', 'application/vnd.github+json; charset=utf8']) {
    assertJsonContentType(header);
  }
});

test('other media types, a missing header and non-UTF-8 charsets are PLEXUS_UNSUPPORTED_MEDIA_TYPE', () => {
  for (const header of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json', 'application/json-seq']) {
    assertPlexusError(() => assertJsonContentType(header), 'PLEXUS_UNSUPPORTED_MEDIA_TYPE', /is not accepted/);
  }
  assertPlexusError(() => assertJsonContentType(undefined), 'PLEXUS_UNSUPPORTED_MEDIA_TYPE', /no content-type/);
  assertPlexusError(() => assertJsonContentType('  '), 'PLEXUS_UNSUPPORTED_MEDIA_TYPE', /no content-type/);
  assertPlexusError(() => assertJsonContentType('application/json; charset=iso-8859-1'), 'PLEXUS_UNSUPPORTED_MEDIA_TYPE', /charset "iso-8859-1"/);
  assertPlexusError(() => assertJsonContentType('application/json; charset=utf-16'), 'PLEXUS_UNSUPPORTED_MEDIA_TYPE', /charset/);
});
