/*
 * The public trust center's only stylesheet. Served from memory under a content-hashed URL; the
 * pages use classes only, because the Content-Security-Policy forbids inline styles.
 * Colour pairs are chosen for WCAG AA contrast in both the light and the dark scheme.
 */
export const siteCss = `
:root {
  color-scheme: light dark;
  --bg: #f6f8fb;
  --surface: #ffffff;
  --surface-muted: #f1f5f9;
  --text: #0f172a;
  --muted: #475569;
  --border: #e2e8f0;
  --accent: #1d4ed8;
  --accent-soft: #eff6ff;
  --focus: #2563eb;
  --shadow: 0 1px 2px rgb(15 23 42 / 0.06), 0 4px 16px rgb(15 23 42 / 0.05);
  --radius: 0.75rem;
  --implemented-bg: #dcfce7; --implemented-fg: #14532d; --implemented-line: #86efac;
  --in-progress-bg: #fef3c7; --in-progress-fg: #78350f; --in-progress-line: #fcd34d;
  --planned-bg: #dbeafe; --planned-fg: #1e3a8a; --planned-line: #93c5fd;
  --not-applicable-bg: #f1f5f9; --not-applicable-fg: #334155; --not-applicable-line: #cbd5e1;
  --failing-bg: #fee2e2; --failing-fg: #7f1d1d; --failing-line: #fca5a5;
}

@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0b1120;
    --surface: #111a2e;
    --surface-muted: #17223a;
    --text: #e5e9f0;
    --muted: #a3adbd;
    --border: #26324a;
    --accent: #93c5fd;
    --accent-soft: #172554;
    --focus: #60a5fa;
    --shadow: 0 1px 2px rgb(0 0 0 / 0.4);
    --implemented-bg: #052e16; --implemented-fg: #86efac; --implemented-line: #166534;
    --in-progress-bg: #3a2306; --in-progress-fg: #fcd34d; --in-progress-line: #92400e;
    --planned-bg: #172554; --planned-fg: #bfdbfe; --planned-line: #1e40af;
    --not-applicable-bg: #1e293b; --not-applicable-fg: #cbd5e1; --not-applicable-line: #475569;
    --failing-bg: #450a0a; --failing-fg: #fca5a5; --failing-line: #991b1b;
  }
}

*, *::before, *::after { box-sizing: border-box; }

html {
  -webkit-text-size-adjust: 100%;
  text-size-adjust: 100%;
}

body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  font-size: 1rem;
  line-height: 1.6;
  display: flex;
  flex-direction: column;
  min-height: 100vh;
}

main { flex: 1; }

h1, h2, h3 { line-height: 1.25; margin: 0 0 0.5rem; text-wrap: balance; }
h1 { font-size: clamp(1.875rem, 1.4rem + 2vw, 2.75rem); letter-spacing: -0.02em; }
h2 { font-size: 1.5rem; letter-spacing: -0.01em; }
h3 { font-size: 1.0625rem; }
p { margin: 0 0 0.75rem; }

a { color: var(--accent); text-underline-offset: 0.2em; }
a:hover { text-decoration-thickness: 2px; }

:focus-visible {
  outline: 3px solid var(--focus);
  outline-offset: 2px;
  border-radius: 0.25rem;
}

[id] { scroll-margin-top: 1.5rem; }

.container {
  width: 100%;
  max-width: 72rem;
  margin-inline: auto;
  padding-inline: clamp(1rem, 4vw, 2rem);
}

.visually-hidden {
  position: absolute;
  width: 1px;
  height: 1px;
  margin: -1px;
  padding: 0;
  overflow: hidden;
  clip: rect(0 0 0 0);
  white-space: nowrap;
  border: 0;
}

.skip-link {
  position: absolute;
  left: 1rem;
  top: -4rem;
  z-index: 10;
  padding: 0.5rem 1rem;
  background: var(--surface);
  color: var(--accent);
  border: 2px solid var(--focus);
  border-radius: 0.5rem;
  font-weight: 600;
}
.skip-link:focus { top: 1rem; }

/* Header and navigation */
.closing-notice {
  margin: 1.5rem 0 0;
  padding: 0.875rem 1rem;
  border: 1px solid var(--in-progress-line);
  border-radius: var(--radius);
  background: var(--in-progress-bg);
  color: var(--in-progress-fg);
}
.site-header {
  background: var(--surface);
  border-bottom: 1px solid var(--border);
}
.site-header-inner {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  justify-content: space-between;
  gap: 0.5rem 2rem;
  padding-block: 0.875rem;
}
.brand {
  color: var(--text);
  text-decoration: none;
  font-weight: 700;
  font-size: 1.125rem;
}
.brand-suffix { color: var(--muted); font-weight: 500; }
.site-nav ul {
  display: flex;
  gap: 0.25rem;
  margin: 0;
  padding: 0;
  list-style: none;
  overflow-x: auto;
}
.site-nav a {
  display: block;
  padding: 0.375rem 0.75rem;
  border-radius: 999px;
  color: var(--muted);
  font-weight: 500;
  text-decoration: none;
  white-space: nowrap;
}
.site-nav a:hover { color: var(--text); background: var(--surface-muted); }
.site-nav a[aria-current="page"] {
  color: var(--accent);
  background: var(--accent-soft);
  font-weight: 700;
  text-decoration: underline;
  text-decoration-thickness: 2px;
}

/* Page header */
.page-header { padding-block: clamp(2rem, 5vw, 3.5rem) 1.5rem; max-width: 48rem; }
.eyebrow {
  margin-bottom: 0.5rem;
  color: var(--muted);
  font-size: 0.8125rem;
  font-weight: 600;
  letter-spacing: 0.08em;
  text-transform: uppercase;
}
.lead { color: var(--muted); font-size: 1.125rem; }
.prose { max-width: 48rem; margin-bottom: 2rem; }
.empty-state {
  padding: 2rem;
  background: var(--surface);
  border: 1px dashed var(--border);
  border-radius: var(--radius);
  color: var(--muted);
  text-align: center;
}

/* Updates feed, upcoming subprocessor changes and the subscription forms */
.update { max-width: 48rem; padding-block: 1.25rem; border-top: 1px solid var(--border); }
.update h2 { margin-top: 0; }
.feed-links, .as-of { color: var(--muted); }
.upcoming-changes {
  margin-block: 1.5rem;
  padding: 1rem 1.25rem;
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: var(--radius);
}
.upcoming-changes h2 { margin-top: 0; font-size: 1.125rem; }
.subscribe-form { max-width: 32rem; }
.subscribe-form fieldset { border: 1px solid var(--border); border-radius: var(--radius); }
.subscribe-form input[type="email"] { width: 100%; padding: 0.5rem; font: inherit; }
form button { padding: 0.5rem 1.25rem; font: inherit; font-weight: 600; cursor: pointer; }
.form-error { color: #b42318; font-weight: 600; }

/* Status badges and framework tags: the text carries the meaning, colour only repeats it */
.badge {
  display: inline-flex;
  align-items: center;
  gap: 0.375rem;
  padding: 0.125rem 0.625rem;
  border: 1px solid;
  border-radius: 999px;
  font-size: 0.8125rem;
  font-weight: 600;
  white-space: nowrap;
}
.badge::before {
  content: "";
  width: 0.5rem;
  height: 0.5rem;
  border-radius: 50%;
  background: currentColor;
}
.badge-implemented { background: var(--implemented-bg); color: var(--implemented-fg); border-color: var(--implemented-line); }
.badge-in-progress { background: var(--in-progress-bg); color: var(--in-progress-fg); border-color: var(--in-progress-line); }
.badge-planned { background: var(--planned-bg); color: var(--planned-fg); border-color: var(--planned-line); }
.badge-not-applicable { background: var(--not-applicable-bg); color: var(--not-applicable-fg); border-color: var(--not-applicable-line); }
.badge-passing { background: var(--implemented-bg); color: var(--implemented-fg); border-color: var(--implemented-line); }
.badge-failing { background: var(--failing-bg); color: var(--failing-fg); border-color: var(--failing-line); }
.badge-could-not-run { background: var(--in-progress-bg); color: var(--in-progress-fg); border-color: var(--in-progress-line); }

/* Live evidence: one panel per check, its facts as a two-column list */
.evidence-check { margin-bottom: 1.5rem; padding: 1.25rem 1.5rem; background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); }
.evidence-checked { color: var(--muted); }
.evidence-facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0 0 1rem; }
.evidence-facts dt { color: var(--muted); }
.evidence-facts dd { margin: 0; }

.tags { display: flex; flex-wrap: wrap; gap: 0.375rem; margin: 0; padding: 0; list-style: none; }
.tag {
  padding: 0.0625rem 0.5rem;
  background: var(--surface-muted);
  border: 1px solid var(--border);
  border-radius: 0.375rem;
  color: var(--muted);
  font-size: 0.75rem;
  font-variant-numeric: tabular-nums;
}

/* Security page */
.security-summary {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 0.75rem 1.5rem;
  margin-bottom: 2rem;
  padding: 1rem 1.25rem;
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: var(--radius);
  box-shadow: var(--shadow);
}
.total { margin: 0; font-size: 1.125rem; }
.status-summary { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; margin: 0; padding: 0; list-style: none; }
.status-summary li { display: flex; align-items: center; gap: 0.375rem; }
.status-count { font-weight: 700; font-variant-numeric: tabular-nums; }

.security-layout, .faq-layout { display: grid; gap: 2rem; padding-bottom: 3rem; }
.toc {
  align-self: start;
  padding: 1rem 1.25rem;
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: var(--radius);
}
.toc-title { margin-bottom: 0.5rem; font-weight: 700; }
.toc ol { margin: 0; padding-left: 1.25rem; }
.toc li { margin-block: 0.25rem; }
.toc-count { display: block; color: var(--muted); font-size: 0.8125rem; }

@media (min-width: 64rem) {
  .security-layout, .faq-layout { grid-template-columns: 16rem minmax(0, 1fr); }
  .toc { position: sticky; top: 1.5rem; max-height: calc(100vh - 3rem); overflow-y: auto; }
}

.category + .category { margin-top: 3rem; }
.category-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.25rem 1rem; }
.category-count { margin: 0; color: var(--muted); font-weight: 600; }
.category-description { max-width: 48rem; color: var(--muted); }

.controls { display: grid; gap: 1rem; margin: 1.25rem 0 0; padding: 0; list-style: none; }
.control {
  padding: 1.25rem 1.5rem;
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: var(--radius);
  box-shadow: var(--shadow);
}
.control-head {
  display: flex;
  flex-wrap: wrap;
  align-items: flex-start;
  justify-content: space-between;
  gap: 0.5rem 1rem;
  margin-bottom: 0.5rem;
}
.control-head h3 { margin: 0; }
.control-meta { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; }
.control-meta:empty { display: none; }
.reviewed { margin: 0; color: var(--muted); font-size: 0.8125rem; }
.evidence-links, .evidence-documents, .evidence-artifacts, .evidence-attestation { margin: 0.5rem 0 0; font-size: 0.8125rem; }
.evidence-host-checks { margin: 0.5rem 0 0; padding: 0; list-style: none; font-size: 0.8125rem; }
.evidence-artifacts code { overflow-wrap: anywhere; }
.verification-failing { margin: 0; font-size: 0.8125rem; white-space: nowrap; }
.verification-detail { margin: 0 0 0.5rem; font-size: 0.8125rem; color: var(--failing-fg); }

/* Certification badges on the overview: each with its report, expired ones marked */
.certifications { margin: 1.5rem 0; }
.certification-list { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.75rem; }
.certification { border: 1px solid var(--implemented-line); border-radius: 0.5rem; padding: 0.75rem 1rem; }
.certification p { margin: 0.25rem 0; }
.certification-state { font-size: 0.8125rem; padding: 0 0.5rem; border-radius: 1rem; background: var(--implemented-bg); color: var(--implemented-fg); }
.certification-expired { border-color: var(--failing-line); }
.certification-expired .certification-state { background: var(--failing-bg); color: var(--failing-fg); }
.certification-report code { overflow-wrap: anywhere; font-size: 0.75rem; }

/* Overview cards: the link's ::after covers the card, so the whole card is one click target */
.card-grid {
  display: grid;
  grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));
  gap: 1rem;
  margin: 0 0 2.5rem;
  padding: 0;
  list-style: none;
}
.card {
  position: relative;
  padding: 1.5rem;
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: var(--radius);
  box-shadow: var(--shadow);
  transition: border-color 0.15s ease, transform 0.15s ease;
}
.card:hover { border-color: var(--accent); transform: translateY(-2px); }
.card:focus-within { outline: 3px solid var(--focus); outline-offset: 2px; }
.card-title { font-size: 1.25rem; }
.card-link { color: var(--text); text-decoration: none; }
.card-link::after { content: ""; position: absolute; inset: 0; border-radius: var(--radius); }
.card-link:focus-visible { outline: none; }
.card-stat { color: var(--accent); font-weight: 700; }
.card-detail { margin: 0; color: var(--muted); font-size: 0.9375rem; }

.contact {
  max-width: 48rem;
  margin-bottom: 3rem;
  padding: 1.25rem 1.5rem;
  background: var(--accent-soft);
  border-radius: var(--radius);
}
.contact h2 { font-size: 1.25rem; }
.contact p { margin: 0; }
.contact-text { font-weight: 600; }

/* Subprocessors table: scrolls sideways inside its region instead of breaking the page */
.table-scroll {
  margin-bottom: 3rem;
  overflow-x: auto;
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: var(--radius);
  box-shadow: var(--shadow);
}
.data-table { width: 100%; min-width: 64rem; border-collapse: collapse; font-size: 0.9375rem; }
.data-table caption {
  padding: 1rem 1.25rem;
  text-align: left;
  font-weight: 700;
  border-bottom: 1px solid var(--border);
}
.data-table th, .data-table td {
  padding: 0.75rem 1rem;
  text-align: left;
  vertical-align: top;
  border-bottom: 1px solid var(--border);
}
.data-table thead th {
  background: var(--surface-muted);
  color: var(--muted);
  font-size: 0.8125rem;
  text-transform: uppercase;
  letter-spacing: 0.04em;
  white-space: nowrap;
}
.data-table tbody tr:last-child > * { border-bottom: 0; }
.data-table tbody tr:hover { background: var(--surface-muted); }
.data-table td p:last-child { margin-bottom: 0; }
.not-specified { color: var(--muted); font-style: italic; }

/* FAQ */
.faq-item {
  padding: 1.25rem 1.5rem;
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: var(--radius);
}
.faq-item + .faq-item { margin-top: 1rem; }
.faq-item h2 { font-size: 1.125rem; }
.faq-answer p:last-child { margin-bottom: 0; }

/* Footer */
.site-footer {
  margin-top: 2rem;
  padding-block: 1.5rem;
  background: var(--surface);
  border-top: 1px solid var(--border);
  color: var(--muted);
  font-size: 0.875rem;
}
.site-footer-inner { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.5rem 2rem; }
.site-footer p { margin: 0; }
.powered-by { font-weight: 600; }

.not-found { padding-bottom: 4rem; }

@media (prefers-reduced-motion: no-preference) {
  html { scroll-behavior: smooth; }
}

@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { transition: none !important; animation: none !important; }
  .card:hover { transform: none; }
}

@media print {
  :root {
    --bg: #fff; --surface: #fff; --surface-muted: #fff; --text: #000; --muted: #333;
    --border: #999; --accent: #000; --shadow: none;
  }
  body { font-size: 11pt; display: block; }
  .skip-link, .site-nav, .toc { display: none; }
  .card:hover { transform: none; }
  .security-layout, .faq-layout { display: block; }
  .control, .faq-item, .card, tr { break-inside: avoid; }
  .table-scroll { overflow: visible; border: 0; }
  .data-table { min-width: 0; font-size: 9pt; }
  .card-link::after { position: static; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 0.85em; }
  .badge { border-width: 1px; }
}
`;
