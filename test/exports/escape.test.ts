import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvField, csvRecord, formatMetric, latexEscape, markdownCell } from '../../server/exports/escape.js';

describe('csvField', () => {
  it('writes numbers plain, negative ones included, and null as an empty field', () => {
    expect(csvField(-0.5)).toBe('-0.5');
    expect(csvField(1e-7)).toBe('1e-7');
    expect(csvField(-Infinity)).toBe('-Infinity');
    expect(csvField(null)).toBe('');
  });

  it('quotes fields with a comma, quote, CR or LF and doubles the quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('x\ry')).toBe('"x\ry"');
    expect(csvField('plain')).toBe('plain');
  });

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x","y")'])(
    'neutralises the formula-like text %j with a leading single quote', (text) => {
      const field = csvField(text);
      const [[cell]] = parse(`${field}\r\n`, { relax_quotes: false }) as string[][];
      expect(cell).toBe(`'${text}`);
    });

  it('ends records with CRLF', () => {
    expect(csvRecord(['a', 1, null])).toBe('a,1,\r\n');
  });

  it('round-trips any text through csv-parse, formulas prefixed', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 5 }), (cells) => {
      const [record] = parse(csvRecord(cells), { record_delimiter: '\r\n', relax_column_count: false }) as string[][];
      expect(record).toEqual(cells.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c)));
    }), { numRuns: 300 });
  });
});

describe('markdownCell', () => {
  it('escapes HTML and the cell separator and keeps the cell on one line', () => {
    expect(markdownCell('<script>alert("x")</script> & a|b')).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; a&#124;b');
    expect(markdownCell('one\r\ntwo\nthree')).toBe('one two three');
    expect(markdownCell(null)).toBe('');
    expect(markdownCell(-2)).toBe('-2');
  });

  it('keeps link and image syntax as text: brackets and backslashes are escaped', () => {
    expect(markdownCell('[x](javascript:alert(1))')).toBe('\\[x\\](javascript:alert(1))');
    expect(markdownCell('![x](http://tracker.invalid/a.png)')).toBe('!\\[x\\](http://tracker.invalid/a.png)');
    expect(markdownCell('\\[x](y)')).toBe('\\\\\\[x\\](y)'); // a backslash cannot cancel the escape
  });

  it('never leaves an unescaped bracket in any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
      // every [ or ] is preceded by an odd number of backslashes
      const cell = markdownCell(text);
      for (let i = 0; i < cell.length; i++) {
        if (cell[i] !== '[' && cell[i] !== ']') continue;
        let slashes = 0;
        for (let j = i - 1; j >= 0 && cell[j] === '\\'; j--) slashes++;
        expect(slashes % 2, cell).toBe(1);
      }
    }), { numRuns: 300 });
  });

  it('never leaves a raw < > " | or newline in any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
      expect(markdownCell(text)).not.toMatch(/[<>"|\r\n]|&(?!amp;|lt;|gt;|quot;|#124;)/);
    }), { numRuns: 300 });
  });
});

describe('latexEscape', () => {
  it('escapes the ten special characters', () => {
    expect(latexEscape('\\ & % $ # _ { } ~ ^')).toBe(
      '\\textbackslash{} \\& \\% \\$ \\# \\_ \\{ \\} \\textasciitilde{} \\textasciicircum{}');
    expect(latexEscape('he_normal(mode=fan_out)')).toBe('he\\_normal(mode=fan\\_out)');
    expect(latexEscape('a<b>c|d')).toBe('a\\textless{}b\\textgreater{}c\\textbar{}d');
  });

  it('leaves no unescaped special character in any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
      // Remove the escapes we emit; what remains must hold no special character and no line break.
      const rest = latexEscape(text)
        .replace(/\\text(backslash|asciitilde|asciicircum|less|greater|bar)\{\}|\\[&%$#_{}]/g, '');
      expect(rest).not.toMatch(/[\\&%$#_{}~^<>|\r\n]/);
    }), { numRuns: 300 });
  });
});

describe('formatMetric', () => {
  it('rounds to 4 significant digits and keeps integers and infinities', () => {
    expect(formatMetric(0.912345)).toBe('0.9123');
    expect(formatMetric(0.000123456)).toBe('0.0001235');
    expect(formatMetric(12)).toBe('12');
    expect(formatMetric(Infinity)).toBe('Infinity');
    expect(formatMetric(null)).toBeNull();
  });
});
