/** The packages the layer is built from, with the binary each one holds. */
export const LAYER_SOURCES: readonly { pkg: string; tool: 'ffmpeg' | 'ffprobe' }[];
/** `<package>@<version>` of each source package (the layer asset's hash). */
export function layerSourceVersions(): string[];
/** Copies ffmpeg and ffprobe into `<outDir>/bin`; returns that folder. */
export function buildFfmpegLayer(outDir: string): string;
