// The "files under ~400 lines" habit as a check (issue 17): a long file hides more than one
// concern, and splitting it along a seam keeps each part readable. Generated files are exempt:
// nobody reads or edits them by hand.
export const MAX_FILE_LINES = 400;

export interface LongFile {
  file: string;
  lines: number;
  message: string;
}

/** Lines as an editor counts them: a final newline does not start another line. */
export function countLines(text: string): number {
  if (text === '') return 0;
  const newlines = text.split('\n').length - 1;
  return text.endsWith('\n') ? newlines : newlines + 1;
}

export function isGenerated(file: string): boolean {
  return /(^|\/)[^/]*\.generated\.[^/]*$/.test(file);
}

/** The hand-written files of `sources` (path -> text) longer than `max` lines, sorted by path. */
export function findLongFiles(sources: ReadonlyMap<string, string>, max = MAX_FILE_LINES): LongFile[] {
  const long: LongFile[] = [];
  for (const [file, text] of sources) {
    if (isGenerated(file)) continue;
    const lines = countLines(text);
    if (lines <= max) continue;
    long.push({
      file,
      lines,
      message: `${file}: ${lines} lines, over the ${max}-line limit; split it along a seam (one concern per file, e.g. a table or helper module apart from its user) or, if it is generated, name it *.generated.*`,
    });
  }
  return long.sort((a, b) => a.file.localeCompare(b.file));
}
