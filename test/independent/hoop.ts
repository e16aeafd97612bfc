/**
 * Independent implementation of the hoop.dev gateway user-management API (`/api/userinfo`, `/api/users…`).
 *
 * This server is a test fixture: it is written from the vendor documentation, the vendor notes
 * (`docs/vendors/hoop.md`) and `specs/hoop.openapi.yaml` only, and shares no code with the project's
 * own mock. Its purpose is to show that the conformance suite accepts a correct server that is not the mock,
 * so wherever the spec leaves room it deliberately differs from a literal copy of the notes:
 *   - error messages are worded differently (the spec fixes the `{"message": ...}` shape, not the text);
 *   - `GET /api/users` lists the newest user first, `GET /api/users/groups` is sorted alphabetically;
 *   - `GET /api/userinfo` leaves out the optional implementation-only fields (`default_protection_profile`,
 *     `pending_org_invitations`, `show_origin_survey`, `show_setup_checklist`).
 *
 * Only `node:` built-ins are used. Request bodies are decoded by a small emulation of Go's `encoding/json`
 * `Decoder` + gin's `required` validator, and email addresses are checked by a port of the grammar of Go's
 * `net/mail.ParseAddress`, because that is what the vendor's gateway (Go + gin) does.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, isIPv4, isIPv6, type AddressInfo } from 'node:net';

export interface IndependentServer {
  url: string;
  admin: string;
  standard: string;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Go encoding/json emulation
// ---------------------------------------------------------------------------------------------------------

/** A parsed JSON value that keeps object members in document order, duplicates included (Go's decoder sees them all). */
type JsonValue =
  | { kind: 'null' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'number' }
  | { kind: 'string'; value: string }
  | { kind: 'array'; items: JsonValue[] }
  | { kind: 'object'; members: Array<[string, JsonValue]> };

class JsonDecodeError extends Error {}

const SIMPLE_ESCAPES = new Map(Object.entries({ '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }));

/** Go's decoder refuses documents nested deeper than this. */
const MAX_JSON_DEPTH = 10000;

/**
 * Reads the first JSON value of a body the way `json.NewDecoder(body).Decode(&v)` does (gin's `ShouldBindJSON`):
 * leading whitespace is skipped, an empty body is the error `EOF`, and whatever follows the first complete value
 * is never looked at.
 */
class FirstJsonValueReader {
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  read(): JsonValue {
    this.skipWhitespace();
    if (this.pos >= this.text.length) throw new JsonDecodeError('EOF');
    return this.value();
  }

  private fail(what: string): never {
    if (this.pos >= this.text.length) throw new JsonDecodeError('unexpected EOF');
    throw new JsonDecodeError(`invalid character ${JSON.stringify(this.text[this.pos])} ${what}`);
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return;
      this.pos++;
    }
  }

  private value(): JsonValue {
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return { kind: 'string', value: this.string() };
    if (c === 't') return this.literal('true', { kind: 'bool', value: true });
    if (c === 'f') return this.literal('false', { kind: 'bool', value: false });
    if (c === 'n') return this.literal('null', { kind: 'null' });
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    return this.fail('looking for beginning of value');
  }

  private enter(): void {
    this.depth++;
    if (this.depth > MAX_JSON_DEPTH) throw new JsonDecodeError('exceeded max depth');
  }

  private object(): JsonValue {
    this.enter();
    this.pos++; // '{'
    const members: Array<[string, JsonValue]> = [];
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      this.depth--;
      return { kind: 'object', members };
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail('after object key');
      this.pos++;
      this.skipWhitespace();
      members.push([key, this.value()]);
      this.skipWhitespace();
      const sep = this.text[this.pos];
      if (sep === ',') {
        this.pos++;
        continue;
      }
      if (sep === '}') {
        this.pos++;
        this.depth--;
        return { kind: 'object', members };
      }
      this.fail('after object key:value pair');
    }
  }

  private array(): JsonValue {
    this.enter();
    this.pos++; // '['
    const items: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      this.depth--;
      return { kind: 'array', items };
    }
    for (;;) {
      this.skipWhitespace();
      items.push(this.value());
      this.skipWhitespace();
      const sep = this.text[this.pos];
      if (sep === ',') {
        this.pos++;
        continue;
      }
      if (sep === ']') {
        this.pos++;
        this.depth--;
        return { kind: 'array', items };
      }
      this.fail('after array element');
    }
  }

  private literal(word: string, result: JsonValue): JsonValue {
    for (let i = 0; i < word.length; i++, this.pos++) {
      if (this.text[this.pos] !== word[i]) this.fail(`in literal ${word}`);
    }
    return result;
  }

  private number(): JsonValue {
    const grammar = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    grammar.lastIndex = this.pos;
    const match = grammar.exec(this.text);
    if (!match) this.fail('in numeric literal');
    this.pos += match[0].length;
    return { kind: 'number' };
  }

  private hex4(at: number): number {
    const digits = this.text.slice(at, at + 4);
    return /^[0-9a-fA-F]{4}$/.test(digits) ? parseInt(digits, 16) : -1;
  }

  private string(): string {
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) this.fail('in string literal');
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22) {
        this.pos++;
        return out;
      }
      if (code < 0x20) this.fail('in string literal');
      if (code !== 0x5c) {
        out += this.text[this.pos++];
        continue;
      }
      const esc = this.text[this.pos + 1];
      const simple = esc === undefined ? undefined : SIMPLE_ESCAPES.get(esc);
      if (simple !== undefined) {
        out += simple;
        this.pos += 2;
        continue;
      }
      if (esc !== 'u') {
        this.pos++;
        this.fail('in string escape code');
      }
      const unit = this.hex4(this.pos + 2);
      if (unit < 0) {
        this.pos += 2;
        this.fail('in \\u hexadecimal character escape');
      }
      this.pos += 6;
      if (unit >= 0xd800 && unit <= 0xdbff && this.text.startsWith('\\u', this.pos)) {
        const low = this.hex4(this.pos + 2);
        if (low >= 0xdc00 && low <= 0xdfff) {
          out += String.fromCharCode(unit, low);
          this.pos += 6;
          continue;
        }
      }
      // Go replaces an unpaired surrogate escape with U+FFFD instead of refusing it.
      out += unit >= 0xd800 && unit <= 0xdfff ? '\ufffd' : String.fromCharCode(unit);
    }
  }
}

/** Kinds of Go struct fields the request bodies use. */
type GoFieldKind = 'string' | 'bool' | 'strings';
type GoFieldValue = string | boolean | string[] | null;

/** Go matches JSON keys to struct fields exactly first, then case-insensitively (with the K/S Unicode folds). */
function foldJsonKey(key: string): string {
  let out = '';
  for (const ch of key) {
    if (ch === '\u212a') out += 'K';
    else if (ch === '\u017f') out += 'S';
    else if (ch >= 'a' && ch <= 'z') out += ch.toUpperCase();
    else out += ch;
  }
  return out;
}

const jsonKindName = (v: JsonValue): string => v.kind;

/**
 * Decodes a request body into a "Go struct" described by `fields` (JSON name → kind), like gin's `ShouldBindJSON`:
 * syntax errors, a non-object document or a member of the wrong JSON type are errors (the caller answers 400);
 * unknown members are ignored; `null` leaves a string/bool untouched and sets a slice to nil (`null` here).
 * Only the members present (and not null for scalars) appear in the returned map.
 */
function decodeGoStruct(
  body: string,
  typeName: string,
  fields: Record<string, GoFieldKind>,
): { ok: true; values: Map<string, GoFieldValue> } | { ok: false; error: string } {
  let doc: JsonValue;
  try {
    doc = new FirstJsonValueReader(body).read();
  } catch (err) {
    if (err instanceof JsonDecodeError) return { ok: false, error: err.message };
    if (err instanceof RangeError) return { ok: false, error: 'exceeded max depth' };
    throw err;
  }
  const values = new Map<string, GoFieldValue>();
  if (doc.kind === 'null') return { ok: true, values };
  if (doc.kind !== 'object') return { ok: false, error: `cannot unmarshal ${jsonKindName(doc)} into a ${typeName} object` };

  const exact = new Map(Object.entries(fields));
  const folded = new Map(Object.keys(fields).map((name) => [foldJsonKey(name), name] as const));
  let firstTypeError: string | undefined;
  for (const [key, value] of doc.members) {
    const name = exact.has(key) ? key : folded.get(foldJsonKey(key));
    if (name === undefined) continue;
    const kind = fields[name];
    const typeError = `field ${typeName}.${name} cannot hold a JSON ${jsonKindName(value)}`;
    if (value.kind === 'null') {
      if (kind === 'strings') values.set(name, null);
      continue;
    }
    if (kind === 'string') {
      if (value.kind === 'string') values.set(name, value.value);
      else firstTypeError ??= typeError;
    } else if (kind === 'bool') {
      if (value.kind === 'bool') values.set(name, value.value);
      else firstTypeError ??= typeError;
    } else if (value.kind !== 'array') {
      firstTypeError ??= typeError;
    } else {
      const list: string[] = [];
      for (const item of value.items) {
        if (item.kind === 'string') list.push(item.value);
        else if (item.kind === 'null')
          list.push(''); // null into a string element leaves its zero value
        else firstTypeError ??= `field ${typeName}.${name} must hold strings, got a JSON ${jsonKindName(item)}`;
      }
      values.set(name, list);
    }
  }
  // Go keeps decoding after a type mismatch and reports the first one at the end.
  if (firstTypeError !== undefined) return { ok: false, error: firstTypeError };
  return { ok: true, values };
}

function stringField(values: Map<string, GoFieldValue>, name: string): string {
  const v = values.get(name);
  return typeof v === 'string' ? v : '';
}

function stringsField(values: Map<string, GoFieldValue>, name: string): string[] | null {
  const v = values.get(name);
  return Array.isArray(v) ? v : null;
}

// ---------------------------------------------------------------------------------------------------------
// Go net/mail.ParseAddress grammar
// ---------------------------------------------------------------------------------------------------------

class MailSyntaxError extends Error {}

const isWsp = (cp: number): boolean => cp === 0x20 || cp === 0x09;
/** Lone surrogates stand for bytes that were not valid UTF-8 (see `decodeUtf8Escaped`); Go refuses them in addresses. */
const isInvalidUtf8 = (cp: number): boolean => cp >= 0xd800 && cp <= 0xdfff;
/** VCHAR, extended by RFC 6532 to every multi-byte UTF-8 character. */
const isVchar = (cp: number): boolean => (cp >= 0x21 && cp <= 0x7e) || (cp >= 0x80 && !isInvalidUtf8(cp));
const isQtext = (cp: number): boolean => cp !== 0x5c && cp !== 0x22 && isVchar(cp);
const isDtext = (cp: number): boolean => cp !== 0x5b && cp !== 0x5d && cp !== 0x5c && isVchar(cp);
const ATOM_SPECIALS = new Set([...'()<>[]:;@\\,"'].map((c) => c.charCodeAt(0)));
const isAtext = (cp: number, dot: boolean): boolean => (cp === 0x2e ? dot : !ATOM_SPECIALS.has(cp) && isVchar(cp));

/** `ParseIP(s) != nil` in Go: plain IPv4 or IPv6, no zone. */
const goParsesIp = (s: string): boolean => !s.includes('%') && isIP(s) !== 0;

/** `ParseIP(s).To4() != nil` in Go: IPv4, or IPv6 that is an IPv4-mapped address. */
function goParsesIpv4(s: string): boolean {
  if (isIPv4(s)) return true;
  if (s.includes('%') || !isIPv6(s)) return false;
  const host = new URL(`http://[${s}]/`).hostname; // canonical, compressed form
  return /^\[::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}\]$/.test(host);
}

/**
 * For an RFC 2047 encoded-word Go's mime decoder understands apart from its charset, `net/mail` fails (it has no
 * charset reader beyond utf-8, iso-8859-1 and us-ascii). Returns true when `word` is such a word.
 */
function isEncodedWordWithUnsupportedCharset(word: string): boolean {
  if (Buffer.byteLength(word) < 8 || !word.startsWith('=?') || !word.endsWith('?=')) return false;
  const inner = word.slice(2, -2);
  if (inner.split('?').length !== 3) return false;
  const [charset, encoding, text] = inner.split('?') as [string, string, string];
  if (charset === '' || encoding.length !== 1) return false;
  if (encoding === 'B' || encoding === 'b') {
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return false;
  } else if (encoding === 'Q' || encoding === 'q') {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (text[i] === '=') {
        if (!/^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) return false;
        i += 2;
      } else if (!((c >= 0x20 && c <= 0x7e) || c === 0x0a || c === 0x0d || c === 0x09)) return false;
    }
  } else {
    return false;
  }
  return !['utf-8', 'iso-8859-1', 'us-ascii'].includes(charset.toLowerCase());
}

/** Recursive-descent parser with the grammar (and the quirks) of Go's `net/mail` address parser. */
class MailAddressParser {
  constructor(private s: string) {}

  private empty(): boolean {
    return this.s.length === 0;
  }

  private peek(): string {
    return this.s[0] ?? '';
  }

  private consume(c: string): boolean {
    if (this.s[0] !== c) return false;
    this.s = this.s.slice(1);
    return true;
  }

  private skipSpace(): void {
    this.s = this.s.replace(/^[ \t]+/, '');
  }

  private skipCfws(): boolean {
    this.skipSpace();
    while (this.consume('(')) {
      if (!this.consumeComment().closed) return false;
      this.skipSpace();
    }
    return true;
  }

  /** `(` already consumed; nested comments and backslash escapes are honoured. */
  private consumeComment(): { text: string; closed: boolean } {
    let depth = 1;
    let text = '';
    while (!this.empty() && depth > 0) {
      if (this.s[0] === '\\' && this.s.length > 1) this.s = this.s.slice(1);
      else if (this.s[0] === '(') depth++;
      else if (this.s[0] === ')') depth--;
      if (depth > 0) text += this.s[0];
      this.s = this.s.slice(1);
    }
    return { text, closed: depth === 0 };
  }

  /** ParseAddress: exactly one mailbox (a group holding exactly one mailbox also counts). */
  parseSingleAddress(): void {
    const count = this.parseAddress(true);
    if (!this.skipCfws()) throw new MailSyntaxError('misformatted parenthetical comment');
    if (!this.empty()) throw new MailSyntaxError('expected single address');
    if (count !== 1) throw new MailSyntaxError(count === 0 ? 'empty group' : 'group with multiple addresses');
  }

  /** Returns how many mailboxes were read. */
  private parseAddress(handleGroup: boolean): number {
    this.skipSpace();
    if (this.empty()) throw new MailSyntaxError('no address');

    // A bare addr-spec is tried first; on failure the parser falls back to name-addr / group.
    let spec: string | undefined;
    try {
      spec = this.consumeAddrSpec();
    } catch (err) {
      if (!(err instanceof MailSyntaxError)) throw err;
    }
    if (spec !== undefined) {
      this.skipSpace();
      if (!this.empty() && this.peek() === '(') this.consumeDisplayNameComment();
      return 1;
    }

    if (this.peek() !== '<') this.consumePhrase();
    this.skipSpace();
    if (handleGroup && this.consume(':')) return this.consumeGroupList();
    if (!this.consume('<')) throw new MailSyntaxError("missing '@' or angle-addr");
    this.consumeAddrSpec();
    if (!this.consume('>')) throw new MailSyntaxError('unclosed angle-addr');
    return 1;
  }

  private consumeGroupList(): number {
    this.skipSpace();
    if (this.consume(';')) {
      if (!this.skipCfws()) throw new MailSyntaxError('misformatted parenthetical comment');
      return 0;
    }
    let count = 0;
    for (;;) {
      this.skipSpace();
      count += this.parseAddress(false);
      if (!this.skipCfws()) throw new MailSyntaxError('misformatted parenthetical comment');
      if (this.consume(';')) {
        if (!this.skipCfws()) throw new MailSyntaxError('misformatted parenthetical comment');
        return count;
      }
      if (!this.consume(',')) throw new MailSyntaxError('expected comma');
    }
  }

  /** local-part "@" domain; the input is left untouched when it fails. */
  private consumeAddrSpec(): string {
    const saved = this.s;
    try {
      this.skipSpace();
      if (this.empty()) throw new MailSyntaxError('no addr-spec');
      let local: string;
      if (this.peek() === '"') {
        local = this.consumeQuotedString();
        if (local === '') throw new MailSyntaxError('empty quoted string in addr-spec');
      } else {
        local = this.consumeAtom(true, false);
      }
      if (!this.consume('@')) throw new MailSyntaxError('missing @ in addr-spec');
      this.skipSpace();
      if (this.empty()) throw new MailSyntaxError('no domain in addr-spec');
      const domain = this.peek() === '[' ? this.consumeDomainLiteral() : this.consumeAtom(true, false);
      return `${local}@${domain}`;
    } catch (err) {
      this.s = saved;
      throw err;
    }
  }

  /** phrase = 1*word; errors after the first word are ignored. */
  private consumePhrase(): string {
    const words: string[] = [];
    let failure: unknown;
    for (;;) {
      if (words.length > 0 && !this.skipCfws()) throw new MailSyntaxError('misformatted parenthetical comment');
      this.skipSpace();
      if (this.empty()) break;
      try {
        if (this.peek() === '"') {
          words.push(this.consumeQuotedString());
        } else {
          const word = this.consumeAtom(true, true);
          if (isEncodedWordWithUnsupportedCharset(word)) throw new MailSyntaxError('charset not supported');
          words.push(word);
        }
      } catch (err) {
        if (!(err instanceof MailSyntaxError)) throw err;
        failure = err;
        break;
      }
    }
    if (failure !== undefined && words.length === 0) throw new MailSyntaxError('missing word in phrase');
    return words.join(' ');
  }

  private consumeQuotedString(): string {
    let i = 1; // opening quote
    let out = '';
    let escaped = false;
    for (;;) {
      const cp = this.s.codePointAt(i);
      if (cp === undefined) throw new MailSyntaxError('unclosed quoted-string');
      if (isInvalidUtf8(cp)) throw new MailSyntaxError('invalid utf-8 in quoted-string');
      const ch = String.fromCodePoint(cp);
      if (escaped) {
        if (!isVchar(cp) && !isWsp(cp)) throw new MailSyntaxError('bad character in quoted-string');
        out += ch;
        escaped = false;
      } else if (isQtext(cp) || isWsp(cp)) {
        out += ch;
      } else if (ch === '"') {
        break;
      } else if (ch === '\\') {
        escaped = true;
      } else {
        throw new MailSyntaxError('bad character in quoted-string');
      }
      i += ch.length;
    }
    this.s = this.s.slice(i + 1);
    return out;
  }

  /** (dot-)atom; permissive allows leading, trailing and doubled dots (used for display names). */
  private consumeAtom(dot: boolean, permissive: boolean): string {
    let i = 0;
    for (;;) {
      const cp = this.s.codePointAt(i);
      if (cp !== undefined && isInvalidUtf8(cp)) throw new MailSyntaxError('invalid utf-8 in address');
      if (cp === undefined || !isAtext(cp, dot)) break;
      i += cp > 0xffff ? 2 : 1;
    }
    if (i === 0) throw new MailSyntaxError('invalid string');
    const atom = this.s.slice(0, i);
    this.s = this.s.slice(i);
    if (!permissive && (atom.startsWith('.') || atom.includes('..') || atom.endsWith('.'))) {
      throw new MailSyntaxError('misplaced dot in atom');
    }
    return atom;
  }

  /** "[" dtext "]" holding an IPv4 address, or "IPv6:" + an IP address. */
  private consumeDomainLiteral(): string {
    this.consume('[');
    let dtext = '';
    for (;;) {
      if (this.empty()) throw new MailSyntaxError('unclosed domain-literal');
      if (this.peek() === ']') break;
      const cp = this.s.codePointAt(0)!;
      if (!isDtext(cp)) throw new MailSyntaxError('bad character in domain-literal');
      const ch = String.fromCodePoint(cp);
      dtext += ch;
      this.s = this.s.slice(ch.length);
    }
    this.consume(']');
    if (dtext.startsWith('IPv6:')) {
      if (!goParsesIp(dtext.slice(5))) throw new MailSyntaxError('invalid IPv6 address in domain-literal');
    } else if (!goParsesIpv4(dtext)) {
      throw new MailSyntaxError('invalid IP address in domain-literal');
    }
    return `[${dtext}]`;
  }

  /** `addr@example.com (Display Name)` */
  private consumeDisplayNameComment(): void {
    this.consume('(');
    const comment = this.consumeComment();
    if (!comment.closed) throw new MailSyntaxError('misformatted parenthetical comment');
    for (const word of comment.text.split(/[ \t]+/)) {
      if (word !== '' && isEncodedWordWithUnsupportedCharset(word)) throw new MailSyntaxError('charset not supported');
    }
  }
}

/** True when Go's `mail.ParseAddress(value)` would succeed. */
function parsesAsMailAddress(value: string): boolean {
  try {
    new MailAddressParser(value).parseSingleAddress();
    return true;
  } catch (err) {
    if (err instanceof MailSyntaxError) return false;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------
// URL path handling
// ---------------------------------------------------------------------------------------------------------

/**
 * UTF-8 decoding that keeps invalid bytes recognisable: each byte that does not start a valid sequence becomes the
 * lone surrogate U+DC00+byte, so the address parser can refuse it as Go does with `utf8.RuneError`.
 */
function decodeUtf8Escaped(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    let need = 0;
    let cp = 0;
    let min = 0;
    if (b >= 0xc2 && b <= 0xdf) [need, cp, min] = [1, b & 0x1f, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, cp, min] = [2, b & 0x0f, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, cp, min] = [3, b & 0x07, 0x10000];
    let ok = need > 0;
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
      out += String.fromCodePoint(cp);
      i += need + 1;
    } else {
      out += String.fromCharCode(0xdc00 + b);
      i++;
    }
  }
  return out;
}

/** Go's `url.PathUnescape`-like decoding of the request path; undefined for a malformed `%` escape. */
function unescapePath(raw: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '%') {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(raw.charCodeAt(i) & 0xff); // Node hands the request target over as latin1
    }
  }
  return decodeUtf8Escaped(Uint8Array.from(bytes));
}

/** Replaces the invalid-byte markers before a value is echoed in a message (Go's JSON encoder writes U+FFFD). */
const printable = (value: string): string => value.replace(/[\ud800-\udfff]/g, '\ufffd');

// ---------------------------------------------------------------------------------------------------------
// Data model
// ---------------------------------------------------------------------------------------------------------

interface StoredUser {
  id: string;
  email: string;
  name: string;
  picture: string;
  slackId: string;
  groups: string[];
  /** Stored as sent: the vendor does not check it against the enum on input (vendor notes, spec info.description). */
  status: string;
  verified: boolean;
}

const ADMIN_GROUP = 'admin';

const USER_FIELDS: Record<string, GoFieldKind> = {
  id: 'string',
  name: 'string',
  email: 'string',
  status: 'string',
  verified: 'bool',
  role: 'string',
  slack_id: 'string',
  picture: 'string',
  groups: 'strings',
  password: 'string',
};

/** Role is derived from the groups: admin when in `admin`, standard otherwise (also for `auditor`). */
const roleOf = (groups: readonly string[]): 'admin' | 'standard' => (groups.includes(ADMIN_GROUP) ? 'admin' : 'standard');

const unique = (values: readonly string[]): string[] => [...new Set(values)];

/** `UserResponse`: every key but `password`, which no route except the POST echo ever returns. */
function userResponse(user: StoredUser): Record<string, unknown> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    status: user.status,
    role: roleOf(user.groups),
    groups: [...user.groups],
    slack_id: user.slackId,
    picture: user.picture,
    verified: user.verified,
  };
}

class HoopDirectory {
  /** Insertion order is creation order. */
  readonly users = new Map<string, StoredUser>();
  /** token → user id */
  readonly tokens = new Map<string, string>();
  /** Groups created through POST /api/users/groups (they exist even without members). */
  readonly declaredGroups = new Set<string>();
  readonly orgId = randomUUID();
  readonly orgName = 'Independent Test Org';
  private readonly intercomKey = randomBytes(32);

  addUser(user: Omit<StoredUser, 'id'>, withToken: boolean): { user: StoredUser; token?: string } {
    const stored: StoredUser = { id: randomUUID(), ...user, groups: unique(user.groups) };
    this.users.set(stored.id, stored);
    if (!withToken) return { user: stored };
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, stored.id);
    return { user: stored, token };
  }

  removeUser(id: string): void {
    this.users.delete(id);
    for (const [token, owner] of this.tokens) if (owner === id) this.tokens.delete(token);
  }

  userForToken(token: string): StoredUser | undefined {
    const id = this.tokens.get(token);
    return id === undefined ? undefined : this.users.get(id);
  }

  /** `{emailOrID}`: a value that parses as an email address is matched on email, anything else on id. */
  lookup(emailOrId: string): StoredUser | undefined {
    const byEmail = parsesAsMailAddress(emailOrId);
    for (const user of this.users.values()) {
      if (byEmail ? user.email === emailOrId : user.id === emailOrId) return user;
    }
    return undefined;
  }

  emailTaken(email: string): boolean {
    for (const user of this.users.values()) if (user.email === email) return true;
    return false;
  }

  /** Groups that exist: declared ones plus every group a user belongs to. */
  groupNames(): string[] {
    const names = new Set(this.declaredGroups);
    for (const user of this.users.values()) for (const g of user.groups) names.add(g);
    return [...names].sort();
  }

  intercomDigest(email: string): string {
    return createHmac('sha256', this.intercomKey).update(email).digest('hex');
  }
}

// ---------------------------------------------------------------------------------------------------------
// HTTP plumbing
// ---------------------------------------------------------------------------------------------------------

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
}

const sendError = (res: ServerResponse, status: number, message: string): void => sendJson(res, status, { message });

function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

function sendPlain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** gin's answer for an unknown route and for a method a route does not have (no 405; vendor notes "Common"). */
const sendRouteNotFound = (res: ServerResponse): void => sendPlain(res, 404, '404 page not found');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  // Invalid UTF-8 becomes U+FFFD like in Go's decoder; a BOM is kept so that it is refused like Go does.
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(Buffer.concat(chunks));
}

interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  caller: StoredUser;
  param: string;
}

type Access = 'any' | 'admin';
interface Operation {
  access: Access;
  run(ctx: RequestContext): Promise<void> | void;
}

const MSG = {
  unauthorized: 'authentication required: send a valid bearer token',
  forbidden: 'this operation is reserved to members of the admin group',
  userNotFound: (v: string) => `no user matches "${printable(v)}"`,
  groupNotFound: (v: string) => `there is no group named "${printable(v)}"`,
  badBody: (detail: string) => `malformed request body: ${detail}`,
  required: (field: string) => `the "${field}" field is required and must not be empty`,
  invalidEmail: 'the email field is not a valid email address',
  emailTaken: (email: string) => `email ${email} is already registered to another user`,
  groupTaken: (name: string) => `a group named "${name}" exists already`,
  selfDeactivate: 'administrators cannot deactivate their own account',
  selfDelete: 'administrators cannot delete their own account',
  adminGroup: 'the admin group is protected and cannot be removed',
};

function createHandler(dir: HoopDirectory): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const getUserInfo: Operation = {
    access: 'any',
    run: ({ res, caller }) =>
      sendJson(res, 200, {
        ...userResponse(caller),
        is_admin: roleOf(caller.groups) === 'admin',
        is_multitenant: false,
        tenancy_type: 'selfhosted',
        org_id: dir.orgId,
        org_name: dir.orgName,
        org_license: '',
        feature_ask_ai: 'unavailable',
        webapp_users_management: 'on',
        intercom_hmac_digest: dir.intercomDigest(caller.email),
      }),
  };

  const listUsers: Operation = {
    access: 'any',
    // Newest first (the spec does not fix an order).
    run: ({ res }) => sendJson(res, 200, [...dir.users.values()].reverse().map(userResponse)),
  };

  const createUser: Operation = {
    access: 'admin',
    async run({ req, res }) {
      // Order of checks (spec createUser): decode/required → 400, address syntax → 422, duplicate → 409.
      const decoded = decodeGoStruct(await readBody(req), 'User', USER_FIELDS);
      if (!decoded.ok) return sendError(res, 400, MSG.badBody(decoded.error));
      const v = decoded.values;
      const email = stringField(v, 'email');
      if (email === '') return sendError(res, 400, MSG.required('email'));
      // net/mail accepts internationalised addresses (RFC 6532) and `Name <addr>` forms; the value is stored as sent.
      if (!parsesAsMailAddress(email)) return sendError(res, 422, MSG.invalidEmail);
      if (dir.emailTaken(email)) return sendError(res, 409, MSG.emailTaken(email));

      const sentGroups = stringsField(v, 'groups') ?? [];
      const password = stringField(v, 'password');
      const { user } = dir.addUser(
        {
          email,
          name: stringField(v, 'name'),
          picture: stringField(v, 'picture'),
          slackId: stringField(v, 'slack_id'),
          groups: sentGroups,
          status: stringField(v, 'status') || 'active', // default active; any other string is kept as is
          verified: password !== '', // local-auth users (with a password) are verified
        },
        false,
      );
      const sentVerified = v.get('verified');
      sendJson(res, 201, {
        ...userResponse(user),
        groups: sentGroups,
        // Drift (vendor notes "Known drift"): the 201 echoes `role` as the client sent it instead of computing it.
        role: stringField(v, 'role') || roleOf(sentGroups),
        verified: typeof sentVerified === 'boolean' ? sentVerified : user.verified,
        // `password` is echoed here only, and only when not empty (omitempty).
        ...(password !== '' ? { password } : {}),
      });
    },
  };

  const getUser: Operation = {
    access: 'any',
    run({ res, param }) {
      const user = dir.lookup(param);
      if (!user) return sendError(res, 404, MSG.userNotFound(param));
      sendJson(res, 200, userResponse(user));
    },
  };

  const updateUser: Operation = {
    access: 'admin',
    async run({ req, res, caller, param }) {
      // The user is looked up before the body is read (vendor notes: "404 before body checks").
      const target = dir.lookup(param);
      if (!target) return sendError(res, 404, MSG.userNotFound(param));
      const decoded = decodeGoStruct(await readBody(req), 'User', USER_FIELDS);
      if (!decoded.ok) return sendError(res, 400, MSG.badBody(decoded.error));
      const v = decoded.values;
      // `email` must be present but is otherwise ignored, so it is not checked as an address (vendor notes).
      if (stringField(v, 'email') === '') return sendError(res, 400, MSG.required('email'));

      let status = stringField(v, 'status');
      let groups = unique(stringsField(v, 'groups') ?? []);
      if (target.id === caller.id) {
        // Self-update (vendor notes "Details"): anything but `active`, a missing status included, is refused,
        // and the admin group is always kept.
        if (status !== 'active') return sendError(res, 422, MSG.selfDeactivate);
        if (!groups.includes(ADMIN_GROUP)) groups = [...groups, ADMIN_GROUP];
      } else if (status === '') {
        status = 'active';
      }
      // Full replacement of name, picture, status, slack_id and groups; email, role and password are ignored.
      Object.assign(target, {
        name: stringField(v, 'name'),
        picture: stringField(v, 'picture'),
        slackId: stringField(v, 'slack_id'),
        status,
        groups,
      });
      sendJson(res, 200, userResponse(target));
    },
  };

  const deleteUser: Operation = {
    access: 'admin',
    run({ res, caller, param }) {
      const target = dir.lookup(param);
      if (!target) return sendError(res, 404, MSG.userNotFound(param));
      if (target.id === caller.id) return sendError(res, 422, MSG.selfDelete);
      dir.removeUser(target.id); // memberships go with the user; the email can be registered again
      sendNoContent(res);
    },
  };

  const patchSelfSlack: Operation = {
    access: 'any',
    async run({ req, res, caller }) {
      const decoded = decodeGoStruct(await readBody(req), 'UserPatchSlackID', { slack_id: 'string' });
      if (!decoded.ok) return sendError(res, 400, MSG.badBody(decoded.error));
      const slackId = stringField(decoded.values, 'slack_id');
      if (slackId === '') return sendError(res, 400, MSG.required('slack_id'));
      caller.slackId = slackId;
      sendJson(res, 200, userResponse(caller));
    },
  };

  const listGroups: Operation = {
    access: 'any',
    run({ res }) {
      const names = dir.groupNames();
      // The vendor answers JSON null, not [], when there is no group (vendor notes endpoint table).
      sendJson(res, 200, names.length > 0 ? names : null);
    },
  };

  const createGroup: Operation = {
    access: 'admin',
    async run({ req, res }) {
      const decoded = decodeGoStruct(await readBody(req), 'UserGroup', { name: 'string' });
      if (!decoded.ok) return sendError(res, 400, MSG.badBody(decoded.error));
      const name = stringField(decoded.values, 'name');
      if (name === '') return sendError(res, 400, MSG.required('name'));
      if (dir.groupNames().includes(name)) return sendError(res, 409, MSG.groupTaken(name));
      dir.declaredGroups.add(name);
      sendJson(res, 201, { name });
    },
  };

  const deleteGroup: Operation = {
    access: 'admin',
    run({ res, param }) {
      if (param === ADMIN_GROUP) return sendError(res, 422, MSG.adminGroup);
      if (!dir.groupNames().includes(param)) return sendError(res, 404, MSG.groupNotFound(param));
      dir.declaredGroups.delete(param);
      for (const user of dir.users.values()) user.groups = user.groups.filter((g) => g !== param);
      sendNoContent(res);
    },
  };

  /** Route table over the decoded path segments after `/api/`. */
  function route(method: string, segments: string[]): { op: Operation; param: string } | undefined {
    const [first, second, third, fourth, ...rest] = segments;
    const pick = (table: Record<string, Operation>, param = '') =>
      Object.hasOwn(table, method) ? { op: table[method]!, param } : undefined;
    if (rest.length > 0) return undefined;
    if (first === 'userinfo' && second === undefined) return pick({ GET: getUserInfo });
    if (first !== 'users') return undefined;
    if (second === undefined) return pick({ GET: listUsers, POST: createUser });
    // `/api/users/groups…` and `/api/users/self/slack` are fixed routes, never user lookups (spec "Lookups").
    if (second === 'groups') {
      if (third === undefined) return pick({ GET: listGroups, POST: createGroup });
      if (third !== '' && fourth === undefined) return pick({ DELETE: deleteGroup }, third);
      return undefined;
    }
    if (second === 'self' && third === 'slack' && fourth === undefined) return pick({ PATCH: patchSelfSlack });
    if (second !== '' && third === undefined) return pick({ GET: getUser, PUT: updateUser, DELETE: deleteUser }, second);
    return undefined;
  }

  return async (req, res) => {
    const method = req.method ?? 'GET';
    let target = req.url ?? '/';
    if (!target.startsWith('/')) {
      try {
        target = new URL(target).pathname; // absolute-form request target
      } catch {
        return sendPlain(res, 400, '400 Bad Request');
      }
    }
    const rawPath = target.split('?', 1)[0]!;

    // CORS preflight: 204 on any path, no authentication (vendor notes "Common").
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': req.headers.origin ?? '*',
        'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type',
        'Access-Control-Max-Age': '600',
        Vary: 'Origin',
      });
      res.end();
      return;
    }

    // Go's server decodes the path before routing; a malformed escape never reaches the router.
    const path = unescapePath(rawPath);
    if (path === undefined) return sendPlain(res, 400, '400 Bad Request');
    if (!path.startsWith('/api/')) return sendRouteNotFound(res);
    const match = route(method, path.slice('/api/'.length).split('/'));
    if (!match) return sendRouteNotFound(res);

    // Authorization must be exactly "Bearer <token>": lower-case scheme, two spaces or a bare "Bearer" fail.
    const header = req.headers.authorization;
    const caller = typeof header === 'string' && header.startsWith('Bearer ') ? dir.userForToken(header.slice(7)) : undefined;
    // Users that are not active (inactive, invited, any other stored status) are refused like unknown tokens.
    if (!caller || caller.status !== 'active') return sendError(res, 401, MSG.unauthorized);
    if (match.op.access === 'admin' && roleOf(caller.groups) !== 'admin') return sendError(res, 403, MSG.forbidden);

    await match.op.run({ req, res, caller, param: match.param });
  };
}

// ---------------------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------------------

function seed(dir: HoopDirectory): { adminToken: string; standardToken: string } {
  const admin = dir.addUser(
    {
      email: 'grace.hopper@example.com',
      name: 'Grace Hopper',
      picture: 'https://example.com/avatars/grace.png',
      slackId: 'U0GRACE0001',
      groups: [ADMIN_GROUP],
      status: 'active',
      verified: true,
    },
    true,
  );
  const standard = dir.addUser(
    {
      email: 'alan.turing@example.com',
      name: 'Alan Turing',
      picture: '',
      slackId: '',
      groups: ['engineering'],
      status: 'active',
      verified: true,
    },
    true,
  );
  const others: Array<Omit<StoredUser, 'id'>> = [
    {
      email: 'bjork.gudmundsdottir@example.is',
      name: 'Björk Guðmundsdóttir',
      picture: '',
      slackId: 'U0BJORK0003',
      groups: ['engineering', 'dba'],
      status: 'active',
      verified: true,
    },
    {
      email: 'katherine.johnson@example.org',
      name: 'Katherine Johnson',
      picture: '',
      slackId: '',
      groups: [],
      status: 'invited',
      verified: false,
    },
    {
      email: 'edsger.dijkstra@example.net',
      name: 'Edsger Dijkstra',
      picture: 'https://example.net/edsger.jpg',
      slackId: 'U0EDSGER005',
      groups: ['sre'],
      status: 'inactive',
      verified: true,
    },
    {
      // The implementation's read-only `auditor` group: not admin, so the computed role is `standard`.
      email: 'barbara.liskov@example.com',
      name: 'Barbara Liskov',
      picture: '',
      slackId: '',
      groups: ['auditor'],
      status: 'active',
      verified: true,
    },
  ];
  for (const user of others) dir.addUser(user, true);
  return { adminToken: admin.token!, standardToken: standard.token! };
}

/** Starts the server on 127.0.0.1 on a free port (listen(0)). admin/standard are full Authorization header values. */
export async function startIndependentHoop(): Promise<IndependentServer> {
  const dir = new HoopDirectory();
  const { adminToken, standardToken } = seed(dir);
  const handle = createHandler(dir);

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 500, 'internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    admin: `Bearer ${adminToken}`,
    standard: `Bearer ${standardToken}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
