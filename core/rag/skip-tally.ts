/**
 * The skipped files of one job: the first `skipSampleSize` kept (and told one by one), all
 * counted per reason and per root. Bounded whatever the walk meets (/proc: ~63,000 skips).
 */
import { skipSampleSize, type SkipReason, type SkippedFile } from '../common/knowledge';
import { isInside } from './walk';

export class SkipTally {
  readonly sample: SkippedFile[] = [];
  total = 0;
  private readonly reasons = new Map<SkipReason, number>();
  private readonly perRoot = new Map<string, number>();

  constructor(
    private readonly roots: readonly string[],
    private readonly sampleSize = skipSampleSize,
  ) {}

  /** Counts a skip; true when it is one of the sample (the caller tells it as an event). */
  add(file: SkippedFile): boolean {
    this.total++;
    this.reasons.set(file.reason, (this.reasons.get(file.reason) ?? 0) + 1);
    for (const root of this.roots) if (isInside(root, file.path)) this.perRoot.set(root, (this.perRoot.get(root) ?? 0) + 1);
    if (this.sample.length >= this.sampleSize) return false;
    this.sample.push(file);
    return true;
  }

  /** Counts per reason, as a plain object (keys are SkipReason names only). */
  byReason(): Partial<Record<SkipReason, number>> {
    return Object.fromEntries(this.reasons) as Partial<Record<SkipReason, number>>;
  }

  underRoot(root: string): number {
    return this.perRoot.get(root) ?? 0;
  }
}
