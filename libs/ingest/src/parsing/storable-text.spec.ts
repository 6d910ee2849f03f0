import { storable, storableText } from './storable-text';

describe('storable text', () => {
  it('replaces NUL and lone surrogates with U+FFFD and keeps surrogate pairs', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableText('x\uD800y')).toBe('x\uFFFDy');
    expect(storableText('x\uDC00')).toBe('x\uFFFD');
    expect(storableText('\uDC00\uD800')).toBe('\uFFFD\uFFFD'); // a pair in the wrong order is two lone halves
    expect(storableText('emoji 😀 stays')).toBe('emoji 😀 stays');
    expect(storableText('plain')).toBe('plain');
  });

  it('walks objects and arrays, keys included, and leaves bytes alone', () => {
    const bytes = Buffer.from([0, 1, 0xd8]);
    const out = storable({ subject: 'a\u0000', headers: { 'x-\u0000': ['\uD83D'] }, parts: [{ fileName: 'f\u0000.txt', content: bytes, size: 3, inline: false, contentId: null }] });
    expect(out).toEqual({ subject: 'a\uFFFD', headers: { 'x-\uFFFD': ['\uFFFD'] }, parts: [{ fileName: 'f\uFFFD.txt', content: bytes, size: 3, inline: false, contentId: null }] });
    expect(out.parts[0].content).toBe(bytes);
    // What PostgreSQL's jsonb would refuse is gone from the serialised form.
    expect(JSON.stringify(out)).not.toMatch(/\\u0000|\\ud[89a-f]/i);
  });
});
