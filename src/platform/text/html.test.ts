import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw, SafeHtml } from './html.js';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('leaves ordinary text alone', () => {
    expect(escapeHtml('Encryption at Rest · 99.5%')).toBe('Encryption at Rest · 99.5%');
  });
});

describe('html', () => {
  it('returns SafeHtml whose string is the markup', () => {
    const markup = html`<p>${'hello'}</p>`;
    expect(markup).toBeInstanceOf(SafeHtml);
    expect(String(markup)).toBe('<p>hello</p>');
  });

  it('escapes a script tag', () => {
    expect(String(html`<p>${'<script>alert(1)</script>'}</p>`)).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
  });

  it('escapes quotes so a value cannot leave its attribute', () => {
    const markup = String(html`<a href="${'" onmouseover="alert(1)'}" title='${"' onfocus='x"}'>x</a>`);
    expect(markup).toBe(`<a href="&quot; onmouseover=&quot;alert(1)" title='&#39; onfocus=&#39;x'>x</a>`);
  });

  it('does not escape nested SafeHtml twice', () => {
    const inner = html`<em>${'a & b'}</em>`;
    expect(String(html`<p>${inner}</p>`)).toBe('<p><em>a &amp; b</em></p>');
  });

  it('joins arrays, escaping strings and keeping SafeHtml', () => {
    const items = [html`<li>${'<one>'}</li>`, '<two>', html`<li>three</li>`];
    expect(String(html`<ul>${items}</ul>`)).toBe('<ul><li>&lt;one&gt;</li>&lt;two&gt;<li>three</li></ul>');
  });

  it('handles nested arrays', () => {
    expect(String(html`${[['<a>', html`<b>`], ['c']]}`)).toBe('&lt;a&gt;<b>c');
  });

  it('renders null, undefined and false as nothing, and numbers as text', () => {
    const hidden = false as boolean;
    expect(String(html`[${null}${undefined}${hidden && html`<b>x</b>`}${0}${12}]`)).toBe('[012]');
  });

  it('trusts raw() markup as-is', () => {
    expect(String(html`<p>${raw('<br>')}</p>`)).toBe('<p><br></p>');
  });
});
