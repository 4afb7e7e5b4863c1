import { randomBytes } from 'node:crypto';
import type { OutgoingMail } from './smtp-client.contract.js';

/**
 * The RFC 5322 / MIME text of one mail, ready for DATA: CRLF line ends, every line dot-stuffed,
 * ending in the terminating `.` line. Built by hand rather than through a MIME library: it is a
 * few string operations per mail (what SMTP throughput comes down to), and everything outside
 * 7-bit ASCII is encoded, so the message needs no 8BITMIME or SMTPUTF8 from the server.
 */

/** Headers this builder writes itself; an extra header of the same name is dropped. */
const OWN_HEADERS = new Set([
  'message-id',
  'date',
  'from',
  'to',
  'reply-to',
  'subject',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

const BOUNDARY_PREFIX = `=_attest_${randomBytes(6).toString('hex')}_`;
let boundaries = 0;

/** Header values are one line: whatever CR, LF or NUL slipped through becomes a space. */
function oneLine(value: string): string {
  return value.replace(/[\r\n\0]+/g, ' ');
}

const isPrintableAscii = (value: string) => /^[\x20-\x7e]*$/.test(value);

/**
 * RFC 2047 encoded-words (UTF-8, base64), each at most 75 characters and never splitting a
 * character, joined by folding whitespace.
 */
export function encodedWords(value: string): string {
  const words: string[] = [];
  let chunk = '';
  let bytes = 0;
  for (const char of value) {
    const size = Buffer.byteLength(char);
    if (bytes + size > 45) {
      words.push(chunk);
      chunk = '';
      bytes = 0;
    }
    chunk += char;
    bytes += size;
  }
  if (chunk) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word).toString('base64')}?=`).join('\r\n ');
}

/** Unstructured text (Subject, extra headers): as is when it is plain ASCII, else encoded. */
function text(value: string): string {
  const line = oneLine(value);
  return isPrintableAscii(line) ? line : encodedWords(line);
}

/** `Name <address>`: the name as an atom, a quoted string, or encoded-words. */
function mailbox(name: string, address: string): string {
  const display = oneLine(name).trim();
  if (!display) return `<${address}>`;
  if (/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/.test(display)) return `${display} <${address}>`;
  if (isPrintableAscii(display)) return `"${display.replace(/(["\\])/g, '\\$1')}" <${address}>`;
  return `${encodedWords(display)} <${address}>`;
}

const HEX = Array.from({ length: 256 }, (_, byte) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`);

/** Quoted-printable (RFC 2045) of text whose lines are already split, soft breaks at 76. */
export function quotedPrintable(lines: readonly string[]): string {
  const out: string[] = [];
  for (const line of lines) {
    const bytes = Buffer.from(line);
    let current = '';
    for (let index = 0; index < bytes.length; index += 1) {
      const byte = bytes[index] as number;
      const last = index === bytes.length - 1;
      let piece: string;
      if (byte === 0x3d || byte > 0x7e || (byte < 0x20 && byte !== 0x09)) piece = HEX[byte] as string;
      else if ((byte === 0x20 || byte === 0x09) && last) piece = HEX[byte] as string;
      else piece = String.fromCharCode(byte);
      if (current.length + piece.length > 75) {
        out.push(`${current}=`);
        current = '';
      }
      current += piece;
    }
    out.push(current);
  }
  return out.join('\r\n');
}

/** A body part: 7bit when every line is short printable ASCII, else quoted-printable. */
function part(body: string, type: 'plain' | 'html'): string {
  const lines = body.replace(/\r\n|\r/g, '\n').split('\n');
  const plain = lines.every((line) => line.length <= 76 && isPrintableAscii(line));
  return (
    `Content-Type: text/${type}; charset=utf-8\r\n` +
    (plain
      ? `Content-Transfer-Encoding: 7bit\r\n\r\n${lines.join('\r\n')}`
      : `Content-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(lines)}`)
  );
}

/** RFC 5322 date in UTC. */
function date(at: Date): string {
  return at.toUTCString().replace(/GMT$/, '+0000');
}

/** The message as it goes after DATA: CRLF, dot-stuffed, ending in `\r\n.\r\n`. */
export function buildMessage(mail: OutgoingMail, at: Date = new Date()): Buffer {
  let head =
    `Message-ID: ${oneLine(mail.messageId)}\r\n` +
    `Date: ${date(at)}\r\n` +
    `From: ${mailbox(mail.from.name, mail.from.address)}\r\n` +
    `To: <${oneLine(mail.to)}>\r\n` +
    (mail.replyTo ? `Reply-To: ${oneLine(mail.replyTo)}\r\n` : '') +
    `Subject: ${text(mail.subject)}\r\n`;
  for (const [name, value] of Object.entries(mail.headers)) {
    if (!/^[\x21-\x39\x3b-\x7e]{1,76}$/.test(name) || OWN_HEADERS.has(name.toLowerCase())) continue;
    head += `${name}: ${text(value)}\r\n`;
  }
  head += 'MIME-Version: 1.0\r\n';
  let body: string;
  if (mail.html === undefined) {
    body = part(mail.text, 'plain');
  } else {
    boundaries += 1;
    const boundary = `${BOUNDARY_PREFIX}${boundaries}`;
    body =
      `Content-Type: multipart/alternative; boundary="${boundary}"\r\n\r\n` +
      `--${boundary}\r\n${part(mail.text, 'plain')}\r\n` +
      `--${boundary}\r\n${part(mail.html, 'html')}\r\n` +
      `--${boundary}--`;
  }
  // Dot-stuffing (RFC 5321 4.5.2): a line that starts with '.' gets one more.
  const message = `${head}${body}\r\n`.replace(/^\./gm, '..');
  return Buffer.from(`${message}.\r\n`);
}

/** The envelope's domain of a recipient, lower-cased (the key of per-domain limits). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return (at >= 0 ? address.slice(at + 1) : address).toLowerCase();
}
