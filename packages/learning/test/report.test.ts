import { describe, expect, it } from '@jest/globals';
import { PUBLISHED_FIGURES } from '../src/report';

describe('published figures', () => {
  it('quote the majority baseline, FlakeFlagger and Flakify', () => {
    expect(PUBLISHED_FIGURES.majorityAccuracy.value).toBe(0.963);
    expect(PUBLISHED_FIGURES.flakeFlaggerF1.value).toBe(0.65);
    expect(PUBLISHED_FIGURES.flakifyF1.value).toBe(0.79);
  });
});
