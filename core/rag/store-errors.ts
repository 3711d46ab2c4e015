import { BrunoError } from '../common/errors';

/** The first line of a Lance error without its Rust source locations and "Caused by" chain. */
export function shortLanceMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  const first = raw.split(/\s+Caused by:/)[0] ?? raw;
  return first
    .replace(/,\s*\/[^\s,]*\.rs:\d+:\d+/g, '')
    .replace(/(lance error:|Failed to (execute query stream|get next batch from stream):|GenericFailure,?|LanceError\(IO\):|Generic (N\/A|LocalFileSystem) error:|Cloned error:)\s*/gi, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/**
 * Turns a LanceDB failure into a message that names the store and what to do. The store is the
 * only thing affected: the chat keeps working without the knowledge base.
 */
export function storeError(uri: string, action: string, err: unknown): BrunoError {
  if (err instanceof BrunoError) return err;
  const detail = shortLanceMessage(err);
  const raw = err instanceof Error ? err.message : String(err);
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const after = 'The chat keeps working without the knowledge base.';
  if (/permission denied|os error 13|EACCES|EPERM|read-only file system|os error 30/i.test(raw) || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new BrunoError('internal', `Knowledge base store ${uri} is not writable (${detail}) while ${action}: fix its permissions or set BRUNO_STORE_URI to a writable folder. ${after}`, { cause: err });
  }
  if (/sufficient data|invalid range|corrupt|not a directory|os error 20|checksum|invalid manifest|unexpected end|failed to decode|protobuf|not a lance|invalid (file|footer)|magic/i.test(raw)) {
    return new BrunoError('internal', `Knowledge base store ${uri} is corrupted (${detail}) while ${action}: move that folder aside (nothing else is affected) and ingest your documents again, or set BRUNO_STORE_URI to another location. ${after}`, { cause: err });
  }
  return new BrunoError('internal', `Knowledge base store ${uri} failed while ${action}: ${detail}. ${after}`, { cause: err });
}
