export type Rgba = [number, number, number, number];
export interface Layer {
  sdf: (x: number, y: number) => number;
  grow: number;
  color: Rgba;
}
export const trayStates: readonly string[];
export const traySizes: readonly number[];
export const appIconSizes: readonly number[];
export const trayDesigns: Record<string, Layer[]>;
export const appIconDesign: Layer[];
export function render(layers: Layer[], size: number, samples?: number): Uint8Array;
export function encodePng(rgba: Uint8Array, width: number, height: number): Buffer;
export function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array };
export function iconFiles(): { path: string; size: number; design: Layer[] }[];
