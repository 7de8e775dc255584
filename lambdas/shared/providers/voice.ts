import { PollyVoice } from '../adapters/aws/polly-voice.js';
import { EspeakVoice } from '../adapters/offline/espeak-voice.js';
import { config } from '../commons.js';
import type { Voice } from '../ports/index.js';
import { lazy } from './lazy.js';

/** The voice provider (BIE_VOICE); only SynthesizeVoiceover imports it (espeak's WASM glue is large). */
export const voice = lazy<Voice>(() => (config.BIE_VOICE === 'polly' ? new PollyVoice() : new EspeakVoice()));
