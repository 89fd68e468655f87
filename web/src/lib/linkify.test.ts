import { describe, expect, it } from 'vitest';
import { linkify, MAX_URL_CHARS, safeHref } from './linkify';

const links = (text: string) => linkify(text).filter((s) => s.kind === 'link');

describe('linkify', () => {
  it('turns http(s) and www. URLs into links and keeps the rest as text', () => {
    expect(linkify('see https://example.org/a?b=1#c and www.example.com now')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.org/a?b=1#c', href: 'https://example.org/a?b=1#c' },
      { kind: 'text', text: ' and ' },
      { kind: 'link', text: 'www.example.com', href: 'https://www.example.com/' },
      { kind: 'text', text: ' now' },
    ]);
  });

  it('leaves the end of a sentence and unpaired brackets out of the link', () => {
    expect(links('go to https://example.org.')[0]?.text).toBe('https://example.org');
    expect(links('(at https://example.org/x)!')[0]?.text).toBe('https://example.org/x');
    expect(links('https://en.wikipedia.org/wiki/Tea_(meal)')[0]?.text).toBe(
      'https://en.wikipedia.org/wiki/Tea_(meal)',
    );
  });

  it('never makes a link of another scheme, whatever its case or disguise', () => {
    for (const hostile of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(document.cookie)',
      ' javascript://%0aalert(1)',
      'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'java\u0000script:alert(1)',
      '&#106;avascript:alert(1)',
    ]) {
      expect(links(hostile)).toEqual([]);
      expect(
        linkify(hostile)
          .map((s) => s.kind === 'text' && s.text)
          .join(''),
      ).toBe(hostile);
    }
    // A scheme hidden after one: only the https part is a link, and its href is https.
    expect(links('javascript:alert(1)//https://example.org').map((s) => s.kind === 'link' && s.href)).toEqual(
      ['https://example.org/'],
    );
  });

  it('stops at quotes and angle brackets, so nothing can break out of the attribute', () => {
    const [link] = links('https://example.org/"onmouseover="alert(1)"<script>');
    expect(link).toEqual({ kind: 'link', text: 'https://example.org/', href: 'https://example.org/' });
  });

  it('refuses credentials in the URL, which hide the real host', () => {
    expect(links('https://bank.example@evil.example/login')).toEqual([]);
    expect(safeHref('https://user:pass@example.org')).toBeNull();
  });

  it('gives an IDN host in punycode in the href, so the real host can be shown', () => {
    expect(links('https://exаmple.org')[0]).toMatchObject({ href: 'https://xn--exmple-4nf.org/' });
  });

  it('ignores bare schemes, words that only contain a scheme, and very long URLs', () => {
    expect(links('http:// and https://')).toEqual([]);
    expect(links('xhttps://example.org and mail@www.example.org')).toEqual([]);
    expect(links(`https://example.org/${'a'.repeat(MAX_URL_CHARS)}`)).toEqual([]);
    expect(links('http://intranet/')).toEqual([]);
  });

  it('is fast on hostile input (no catastrophic backtracking)', () => {
    const start = performance.now();
    linkify(`https://${'a.'.repeat(50_000)}`);
    linkify('www.'.repeat(20_000));
    linkify(`${'(https://x.org/'.repeat(5_000)}`);
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});
