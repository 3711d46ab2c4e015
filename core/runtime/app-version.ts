import { version } from '../../package.json';

/** The app's version, from package.json (inlined by the build). */
export const appVersion: string = version;
