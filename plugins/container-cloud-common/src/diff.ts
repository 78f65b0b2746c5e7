/** One line of a unified diff: kept (' '), removed ('-') or added ('+'). @public */
export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** The lines of one file as they differ between two versions. @public */
export interface FileDiff {
  file: string;
  lines: DiffLine[];
}
