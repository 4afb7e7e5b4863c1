import { AppError } from '../../platform/errors.js';
import './documents.errors.js';

/*
 * What an upload must be before it is stored: a sane file name, not empty, a type recognised from
 * its bytes (never from the name or the client's Content-Type) that is on the allow-list, and an
 * extension that matches that type. Written by hand on purpose (see decision 0006): the allow-list
 * is seven types, and each needs only a prefix check or, for DOCX/XLSX, the ZIP's entry names.
 */

export type FileKind = 'pdf' | 'png' | 'jpeg' | 'docx' | 'xlsx' | 'text';

const extensionsOf: Record<FileKind, readonly string[]> = {
  pdf: ['pdf'],
  png: ['png'],
  jpeg: ['jpg', 'jpeg'],
  docx: ['docx'],
  xlsx: ['xlsx'],
  text: ['txt', 'md', 'markdown'],
};

const mediaTypes: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
};

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);
const PDF = Buffer.from('%PDF-', 'ascii');
const ZIP_LOCAL = 0x04034b50;
const ZIP_CENTRAL = 0x02014b50;
const ZIP_END = 0x06054b50;

/** The names in a ZIP's central directory, or null when the archive is not a plain, intact ZIP. */
export function zipEntryNames(bytes: Buffer): string[] | null {
  if (bytes.length < 22 || bytes.readUInt32LE(0) !== ZIP_LOCAL) return null;
  const floor = Math.max(0, bytes.length - 22 - 65_535);
  let end = -1;
  for (let at = bytes.length - 22; at >= floor; at -= 1) {
    if (bytes.readUInt32LE(at) === ZIP_END) {
      end = at;
      break;
    }
  }
  if (end < 0) return null;
  const count = bytes.readUInt16LE(end + 10);
  const size = bytes.readUInt32LE(end + 12);
  const offset = bytes.readUInt32LE(end + 16);
  if (offset + size > end || count === 0xffff) return null; // ZIP64 or inconsistent
  const names: string[] = [];
  let at = offset;
  for (let index = 0; index < count; index += 1) {
    if (at + 46 > end || bytes.readUInt32LE(at) !== ZIP_CENTRAL) return null;
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    if (at + 46 + nameLength > end) return null;
    names.push(bytes.subarray(at + 46, at + 46 + nameLength).toString('utf8'));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

function isUtf8Text(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The file's type from its bytes, or null when it is none of the allowed ones. */
export function sniffFileKind(bytes: Buffer): FileKind | null {
  if (bytes.subarray(0, PDF.length).equals(PDF)) return 'pdf';
  if (bytes.subarray(0, PNG.length).equals(PNG)) return 'png';
  if (bytes.subarray(0, JPEG.length).equals(JPEG)) return 'jpeg';
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === ZIP_LOCAL) {
    // A ZIP is allowed only as an Office document; any other archive (or a broken one) is refused.
    const entries = zipEntryNames(bytes);
    if (!entries) return null;
    if (!entries.includes('[Content_Types].xml')) return null;
    const word = entries.some((name) => name.startsWith('word/'));
    const excel = entries.some((name) => name.startsWith('xl/'));
    if (word && !excel) return 'docx';
    if (excel && !word) return 'xlsx';
    return null;
  }
  return isUtf8Text(bytes) ? 'text' : null;
}

const MAX_FILENAME = 200;
/** Control and invisible formatting characters (a right-to-left override can disguise "gpj.exe"). */
const invisible = /[\p{Cc}\p{Cf}]/u;
const reserved = /[<>:"|?*]/g;

/**
 * A file name fit to store and to send back in Content-Disposition: the last path segment of what
 * the browser sent, NFC, no control or formatting characters, no Windows-reserved characters, at
 * most 200 characters with the extension kept. A name that tries to climb out of a directory
 * ("../x.pdf") is refused outright rather than repaired.
 */
export function sanitizeFilename(raw: string): string {
  const name = raw.normalize('NFC');
  if (invisible.test(name)) throw new AppError('document.bad_filename');
  const segments = name.split(/[/\\]/);
  if (segments.some((segment) => segment.trim() === '..')) throw new AppError('document.bad_filename');
  const base = (segments.at(-1) ?? '')
    .replace(reserved, '_')
    .trim()
    .replace(/^\.+/, '')
    .replace(/[. ]+$/, '');
  if (!base.includes('.')) throw new AppError('document.bad_filename');
  if (base.length <= MAX_FILENAME) return base;
  const dot = base.lastIndexOf('.');
  const extension = base.slice(dot);
  if (extension.length > 20) throw new AppError('document.bad_filename');
  return `${base.slice(0, MAX_FILENAME - extension.length).trimEnd()}${extension}`;
}

export function extensionOf(filename: string): string {
  return filename.slice(filename.lastIndexOf('.') + 1).toLowerCase();
}

export interface CheckedUpload {
  filename: string;
  mediaType: string;
  kind: FileKind;
}

/** Runs every check on an upload; throws a 4xx AppError naming the first one that fails. */
export function checkUpload(rawFilename: string, bytes: Buffer): CheckedUpload {
  const filename = sanitizeFilename(rawFilename);
  if (bytes.length === 0) throw new AppError('document.empty_file');
  const kind = sniffFileKind(bytes);
  if (!kind) throw new AppError('document.type_not_allowed');
  const extension = extensionOf(filename);
  if (!extensionsOf[kind].includes(extension)) throw new AppError('document.type_mismatch');
  return { filename, kind, mediaType: mediaTypes[extension] ?? 'application/octet-stream' };
}

/** An ASCII-only stand-in for the Content-Disposition `filename=` parameter (filename* carries UTF-8). */
export function asciiFilename(filename: string): string {
  return filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
}

export function contentDisposition(filename: string): string {
  return `attachment; filename="${asciiFilename(filename)}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
