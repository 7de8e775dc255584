import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/shared/errors.js';
import { brandIdFor } from '../../../lambdas/shared/ids.js';
import {
  chunkGuidelines,
  classifyHeading,
  loadBrandBible,
  parseBrandBible,
} from '../../../lambdas/strategist/domain/brand-bible.js';

const lumen = readFileSync(
  path.resolve(import.meta.dirname, '../../../examples/brands/lumen-coffee.md'),
  'utf8',
);

describe('brand bible parsing', () => {
  it('reads the name, palette, restricted terms and hashtags of a Markdown bible', () => {
    const b = parseBrandBible(lumen);
    expect(b.name).toBe('Lumen Coffee');
    expect(b.brand_id).toBe(brandIdFor('Lumen Coffee'));
    expect(b.color_palette).toEqual(['#2B1B17', '#C8A27A', '#F4EDE4', '#6B8F71', '#9CC5D9']);
    expect(b.restricted_keywords).toEqual([
      'cheap',
      'energy drink',
      'caffeine crash',
      'guaranteed',
      'jitters',
      'best coffee in the world',
    ]);
    expect(b.hashtags).toEqual(['#LumenCoffee', '#SlowMornings', '#ColdBrew']);
    expect(b.voice_tone).toContain('unhurried');
  });

  it('classifies sections by heading', () => {
    expect(classifyHeading('Voice and tone')).toBe('voice_tone');
    expect(classifyHeading('Banned words')).toBe('restricted');
    expect(classifyHeading('Color Palette')).toBe('color_palette');
    expect(classifyHeading('Legal claims')).toBe('claims_policy');
    expect(classifyHeading('Who we serve')).toBe('audience');
    expect(classifyHeading('Our story')).toBe('general');
  });

  it('expands #RGB colours', () => {
    const b = parseBrandBible(
      '# X\n## Voice\nCalm.\n## Visual style\nClean.\n## Palette\n- #abc and #123456\n',
    );
    expect(b.color_palette).toEqual(['#AABBCC', '#123456']);
  });

  it('names every missing section in one error', () => {
    try {
      parseBrandBible('## Story\nsomething\n');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).issues.map((i) => i.path).sort()).toEqual([
        'sections.color_palette',
        'sections.visual_style',
        'sections.voice_tone',
        'title',
      ]);
    }
  });

  it('accepts BrandProfile JSON and validates it field by field', () => {
    const json = readFileSync(
      path.resolve(import.meta.dirname, '../../../examples/brands/northwind-fitness.json'),
      'utf8',
    );
    expect(loadBrandBible(json).name).toBe('Northwind Fitness');
    expect(() => loadBrandBible(JSON.stringify({ ...JSON.parse(json), color_palette: ['navy'] }))).toThrow(
      /color_palette\[0\]/,
    );
  });

  it('chunks sections on paragraph boundaries, keeping heading and category', () => {
    const chunks = chunkGuidelines(parseBrandBible(lumen), 120);
    expect(chunks.length).toBeGreaterThan(6);
    expect(chunks.every((c) => c.content.length > 0 && c.heading.length > 0)).toBe(true);
    expect(chunks.some((c) => c.category === 'voice_tone')).toBe(true);
  });
});
