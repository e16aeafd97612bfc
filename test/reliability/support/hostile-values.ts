// Hostile values shared by the hostile-input batches and the fuzz generators.

/** Path parameter values that are percent-escapes of nothing, traversal, NUL, or just long. */
export const ODD_SEGMENTS = [
  '0',
  '%00',
  '..%2f',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%ZZ',
  '%',
  '%C0%AF',
  '%FF%FE',
  '%E2%80%AE',
  'x'.repeat(5_000),
  '-1',
  '1e3',
  '0x1F',
  '99999999999999999999999',
  '%20',
  'null',
];

/** Authorization values no API can accept: empty, half a scheme, junk, huge, forged. */
export const MALFORMED_AUTHORIZATIONS: Record<string, string> = {
  empty: '',
  'Bearer alone': 'Bearer',
  'Bearer and a space': 'Bearer ',
  'Basic alone': 'Basic',
  'Basic with non-base64': 'Basic !!!not*base64!!!',
  'Basic with binary': `Basic ${btoa('\xff\xfe:\x01\x02')}`,
  'Basic with a short key': `Basic ${btoa('haplo:short')}`,
  'Basic with an unknown key': `Basic ${btoa(`haplo:${'k'.repeat(40)}`)}`,
  'binary junk': '\x80\x81\xfe\xff\xc3\x28 \xa0',
  '10 KB': `Bearer ${'A'.repeat(10_000)}`,
  'a JWT of nothing': 'Bearer e30.e30.e30',
  'three dots': 'Bearer ...',
  'an unknown scheme': 'Token abc',
};
