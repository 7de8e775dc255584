export function buildFfmpegLayer(outDir: string): string;
