/**
 * Media toolkit: pure functions over files (paths in, typed results out; no AWS). ffmpeg/ffprobe come
 * from BIE_FFMPEG_PATH / BIE_FFPROBE_PATH, the Lambda layer (/opt/bin) or the npm static builds.
 */
export {
  type AssembleMasterOptions,
  type AssembleMasterResult,
  assembleMaster,
  type ClipInput,
  defaultCaptionStyle,
  type LegacyAssembleMasterOptions,
  type ProviderAudio,
} from './assemble.js';
export { composeVoiceTrack, gainToTarget, measureLoudness, type VoiceLine } from './audio.js';
export {
  type AssAlignment,
  type AssStyle,
  buildCues,
  type Cue,
  type CueOptions,
  escapeAssText,
  sceneStarts,
  toAss,
  toSrt,
  toVtt,
  type Word,
} from './captions.js';
export { assColor, ffColor, parseHexColor, type Rgb } from './color.js';
export { filterValue } from './filtergraph.js';
export {
  DELIVERY_LOUDNESS,
  type LoudnessReport,
  measureDeliverable,
  meetsDelivery,
  normalizeLoudness,
} from './loudness.js';
export {
  generateMusicBed,
  type Mood,
  type MusicBedOptions,
  type MusicBedResult,
  type MusicPlan,
  planMusic,
} from './music.js';
export { type MediaInfo, probeMedia } from './probe.js';
export {
  anyAiGenerated,
  buildProvenance,
  type ProvenanceEntry,
  provenanceMetadata,
  provenanceSummary,
  readProvenance,
} from './provenance.js';
export { chooseReframe, cropKeeps, encoderThreads, type ReframeMode, reframeGraph } from './reframe.js';
export {
  captionStyleForSafeZone,
  PLATFORM_SAFE_ZONES,
  type PlatformSafeZone,
  type RenditionOptions,
  type RenditionResult,
  type RenditionTarget,
  renderRendition,
  renderRenditions,
  type SafeZone,
  type SafeZonePlatform,
  type SharedRendition,
  safeZoneToAssMargins,
  scaleSafeZone,
  shareRenditions,
} from './renditions.js';
export {
  type Motion,
  parseCameraMovement,
  parseLighting,
  renderScene,
  type SceneRenderOptions,
  type SceneRenderResult,
  type SceneStyle,
} from './scene-renderer.js';
export {
  assertNoSlate,
  provenanceOfTag,
  renderSlate,
  SLATE_MODEL,
  SLATE_PROVIDER,
  SlateInPublicationError,
  type SlateOptions,
  slateSegments,
} from './slate.js';
export { fitText, wrapLines, wrapText } from './text.js';
export { renderThumbnail, type ThumbnailOptions, type ThumbnailResult } from './thumbnail.js';
export {
  FfmpegError,
  ffmpegPath,
  ffprobePath,
  fontPath,
  fontsDir,
  type RunOptions,
  type RunResult,
  resolveToolPath,
  runFfmpeg,
  runFfprobe,
} from './tools.js';
export { type SpeechOptions, type SpeechResult, synthesizeSpeech, type WordTiming, wav16 } from './tts.js';
