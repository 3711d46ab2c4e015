import { z } from 'zod';

/** Ids that cross the contract: they end up in file names and URLs, so no path characters. */
export const id = z.string().min(1).max(128).regex(/^[\w.:-]+$/, 'letters, digits, . : _ - only');

/** Methods without input accept nothing or an empty object. */
export const noInput = z.strictObject({}).optional();
