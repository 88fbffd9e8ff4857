// The stylesheet and script embedded in report.html. They are Swift raw strings so the report stays one file with
// no network requests. Both end up inside CDATA sections, so neither may contain the three characters `]]>`, and the
// script may not contain `</script` or `<!--`; ReportHTMLTests parse the page as XML to hold them to that.

extension ReportHTML {
    static let stylesheet = #"""
        :root {
          color-scheme: light dark;
          --bg: #f5f6f8; --panel: #ffffff; --ink: #1b1f24; --muted: #5b6470; --line: #d8dde3; --accent: #1d4e89;
          --good: #1a7f37; --good-bg: #dcf5e3; --neutral: #4f5966; --neutral-bg: #e8ebef;
          --warning: #8a5a00; --warning-bg: #fff3c4; --bad: #b42318; --bad-bg: #fde4e1;
          --flag: #7a4b00; --flag-bg: #fff7e0; --flag-line: #e8c77a; --photo-bg: #eceff3;
          --radius: 10px; --shadow: 0 1px 2px rgba(16, 24, 40, .06), 0 1px 3px rgba(16, 24, 40, .08);
        }
        @media (prefers-color-scheme: dark) {
          :root {
            --bg: #111418; --panel: #1a1f25; --ink: #e7eaee; --muted: #a0a9b4; --line: #2e3640; --accent: #8db8ff;
            --good: #6fdd8b; --good-bg: #12301c; --neutral: #b3bcc7; --neutral-bg: #252c34;
            --warning: #f5cf62; --warning-bg: #3a2e08; --bad: #ff8f85; --bad-bg: #43150f;
            --flag: #f3c969; --flag-bg: #2f2508; --flag-line: #6d5614; --photo-bg: #252b33;
          }
        }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body {
          margin: 0; background: var(--bg); color: var(--ink);
          font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
        }
        .wrap { max-width: 1240px; margin: 0 auto; padding: 0 24px; }
        .visually-hidden {
          position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
          white-space: nowrap;
        }
        .skip { position: absolute; left: -9999px; top: 8px; background: var(--panel); color: var(--ink); padding: 8px 12px; }
        .skip:focus { left: 8px; z-index: 10; }
        :focus-visible { outline: 3px solid #4c9ffe; outline-offset: 2px; }
        code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: .92em; }

        .top { background: linear-gradient(120deg, #0f2740, #1d4e89); color: #fff; padding: 28px 0 26px; }
        .top .eyebrow { margin: 0 0 4px; text-transform: uppercase; letter-spacing: .08em; font-size: 12px; opacity: .8; }
        .top h1 { margin: 0; font-size: 28px; line-height: 1.2; font-weight: 650; }
        .top .kind {
          display: inline-block; vertical-align: middle; margin-left: 10px; padding: 2px 10px; border-radius: 999px;
          font-size: 13px; font-weight: 600; background: rgba(255, 255, 255, .16); border: 1px solid rgba(255, 255, 255, .35);
        }
        .top .meta { margin: 10px 0 0; font-size: 13.5px; opacity: .9; display: flex; flex-wrap: wrap; gap: 4px 18px; }
        .top .meta span { white-space: nowrap; }
        .top code { background: rgba(255, 255, 255, .12); padding: 1px 6px; border-radius: 4px; }

        main.wrap { padding-top: 22px; padding-bottom: 40px; }
        h2 { font-size: 17px; margin: 0 0 10px; }
        .panel { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); box-shadow: var(--shadow); }

        .overview { display: grid; grid-template-columns: minmax(280px, 1fr) 2fr; gap: 16px; margin-bottom: 16px; }
        .verdict { padding: 16px 18px; border-left: 6px solid var(--neutral); }
        .verdict.tone-good { border-left-color: var(--good); }
        .verdict.tone-bad { border-left-color: var(--bad); }
        .verdict .answer { font-size: 20px; font-weight: 650; margin: 0 0 6px; }
        .verdict.tone-good .answer { color: var(--good); }
        .verdict.tone-bad .answer { color: var(--bad); }
        .verdict p { margin: 0; color: var(--muted); }
        .verdict .answer + p { color: var(--ink); }

        .summary { padding: 16px 18px; }
        .stats { display: flex; flex-wrap: wrap; gap: 10px 32px; margin: 0 0 14px; }
        .stats div { min-width: 110px; }
        .stats dt { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
        .stats dd { margin: 2px 0 0; font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
        .counts { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 8px; }
        .counts li {
          display: flex; align-items: baseline; gap: 6px; padding: 5px 12px; border-radius: 999px; font-size: 14px;
        }
        .counts .n { font-weight: 700; font-variant-numeric: tabular-nums; }
        .flagline { margin: 12px 0 0; font-size: 13.5px; color: var(--muted); display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }

        .tone-good.badge, .counts .tone-good { background: var(--good-bg); color: var(--good); }
        .tone-neutral.badge, .counts .tone-neutral { background: var(--neutral-bg); color: var(--neutral); }
        .tone-warning.badge, .counts .tone-warning { background: var(--warning-bg); color: var(--warning); }
        .tone-bad.badge, .counts .tone-bad { background: var(--bad-bg); color: var(--bad); }

        details.command { margin: 0 0 20px; padding: 10px 16px; }
        details.command summary { cursor: pointer; font-weight: 600; }
        details.command pre { margin: 10px 0 0; white-space: pre-wrap; word-break: break-all; }

        .toolbar { position: sticky; top: 0; z-index: 5; padding: 10px 16px; margin: 0 0 10px; }
        .toolbar .row { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; }
        .toolbar .row + .row { margin-top: 10px; }
        .toolbar h2 { margin: 0 6px 0 0; }
        .toolbar label { font-size: 13.5px; color: var(--muted); }
        .toolbar input[type=search], .toolbar select {
          font: inherit; color: var(--ink); background: var(--bg); border: 1px solid var(--line); border-radius: 8px;
          padding: 6px 10px;
        }
        .toolbar input[type=search] { width: 240px; }
        .seg { display: inline-flex; flex-wrap: wrap; gap: 6px; }
        .seg button {
          font: inherit; font-size: 13.5px; cursor: pointer; color: var(--ink); background: var(--bg);
          border: 1px solid var(--line); border-radius: 999px; padding: 4px 11px;
        }
        .seg button[aria-pressed=true] { background: var(--accent); border-color: var(--accent); color: var(--panel); }
        .seg button .n { opacity: .75; margin-left: 4px; font-variant-numeric: tabular-nums; }
        .check { display: inline-flex; gap: 6px; align-items: center; }
        .spacer { flex: 1; }
        .status { margin: 4px 2px 12px; color: var(--muted); font-size: 13.5px; }

        .sheet { display: grid; grid-template-columns: repeat(auto-fill, minmax(370px, 1fr)); gap: 14px; }
        .card {
          padding: 14px; display: grid; grid-template-columns: auto 1fr; grid-template-areas: "pics head" "body body";
          gap: 10px 14px; align-items: start;
        }
        .card .pics { grid-area: pics; }
        .card.three { grid-template-columns: 1fr; grid-template-areas: "pics" "head" "body"; }
        .card .head { grid-area: head; min-width: 0; }
        .card .body { grid-area: body; min-width: 0; border-top: 1px solid var(--line); padding-top: 8px; }
        .card.tone-bad { border-top: 3px solid var(--bad); }
        .card.tone-warning { border-top: 3px solid var(--warning); }
        .pics { display: flex; gap: 6px; margin: 0; }
        .pics figure { margin: 0; width: 88px; text-align: center; }
        .pics img, .ph {
          display: block; width: 88px; height: 88px; object-fit: contain; border-radius: 8px; background: var(--photo-bg);
        }
        .ph {
          display: flex; align-items: center; justify-content: center; flex-direction: column; color: var(--muted);
          font-size: 11px; border: 1px dashed var(--line);
        }
        .ph b { font-size: 22px; font-weight: 600; letter-spacing: .02em; }
        .pics figcaption { font-size: 11.5px; color: var(--muted); margin-top: 3px; }
        .pics figure { position: relative; }
        .facebox {
          position: absolute; border: 2px solid #ffd60a; border-radius: 3px; pointer-events: none;
          box-shadow: 0 0 0 1px rgba(0, 0, 0, .55);
        }
        .card h3 { margin: 0; font-size: 15.5px; line-height: 1.25; overflow-wrap: anywhere; }
        .key { margin: 1px 0 6px; color: var(--muted); font-size: 12.5px; overflow-wrap: anywhere; }
        .line1 { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 0 0 6px; font-size: 12.5px; color: var(--muted); }
        .badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12.5px; font-weight: 600; }
        .reason { margin: 0 0 6px; font-size: 13px; overflow-wrap: anywhere; white-space: pre-line; }
        .tone-bad .reason, .tone-warning .reason { color: var(--bad); }
        .facts { display: grid; grid-template-columns: auto 1fr; gap: 1px 8px; margin: 0; font-size: 12.5px; }
        .facts dt { color: var(--muted); }
        .facts dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
        .flags { list-style: none; padding: 0; margin: 4px 0 0; display: flex; flex-wrap: wrap; gap: 4px; }
        .flag {
          display: inline-block; font-size: 11.5px; font-weight: 600; padding: 1px 8px; border-radius: 6px;
          color: var(--flag); background: var(--flag-bg); border: 1px solid var(--flag-line);
        }

        .tablewrap { overflow-x: auto; }
        table { width: 100%; border-collapse: collapse; font-size: 13px; background: var(--panel); }
        th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
        thead th { background: var(--panel); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.brk { overflow-wrap: anywhere; min-width: 130px; }
        tbody tr:hover { background: var(--bg); }

        .more { text-align: center; margin: 18px 0 0; }
        .more button {
          font: inherit; cursor: pointer; padding: 8px 18px; border-radius: 8px; border: 1px solid var(--line);
          background: var(--panel); color: var(--ink);
        }
        .empty { padding: 30px; text-align: center; color: var(--muted); }
        .legend { margin-top: 28px; padding: 16px 18px; }
        .legend dl { display: grid; grid-template-columns: auto 1fr; gap: 6px 14px; margin: 0; font-size: 13.5px; }
        .legend dd { margin: 0; color: var(--muted); }
        .noscript { padding: 14px; background: var(--warning-bg); color: var(--warning); border-radius: var(--radius); }
        footer { color: var(--muted); font-size: 12.5px; padding-bottom: 30px; }

        @media (max-width: 760px) {
          .overview { grid-template-columns: 1fr; }
          .sheet { grid-template-columns: 1fr; }
          .toolbar { position: static; }
        }
        @media print {
          :root { --bg: #fff; --panel: #fff; --ink: #000; --muted: #444; --line: #bbb; }
          body { font-size: 11pt; background: #fff; }
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          .top { background: none; color: #000; padding: 0 0 8px; border-bottom: 2px solid #000; }
          .top .kind { border-color: #000; background: none; }
          .top code { background: none; }
          .toolbar, .more, .skip, #sentinel, details.command summary::marker { display: none !important; }
          .panel { box-shadow: none; }
          .sheet { grid-template-columns: repeat(2, 1fr); gap: 8px; }
          .card, tr { break-inside: avoid; page-break-inside: avoid; }
          .wrap { max-width: none; padding: 0; }
        }
        """#

    static let script = #"""
        (function () {
          'use strict';
          var data = JSON.parse(document.getElementById('report-data').textContent);
          var items = data.items, legend = data.legend;
          // Two lines per item, original then output: a data: URI, or empty when there is no preview.
          var previews = document.getElementById('report-previews').textContent.split('\n');
          items.forEach(function (it, i) {
            it.sourcePreview = previews[2 * i] || null;
            it.outputPreview = previews[2 * i + 1] || null;
          });
          previews = null;
          // One line per item: the photo it had before, from the backup taken first (empty: none or no preview).
          var previous = document.getElementById('report-previous').textContent.split('\n');
          items.forEach(function (it, i) { it.previousPreview = previous[i] || null; });
          previous = null;
          var outcomes = {}, flags = {};
          legend.outcomes.forEach(function (o, i) { outcomes[o.id] = o; o.rank = i; });
          legend.flags.forEach(function (f) { flags[f.id] = f; });
          var CARD_BATCH = 48, ROW_BATCH = 250;
          var state = { q: '', outcome: '', flagged: false, order: 'attention', view: 'cards' };
          var shown = [], rendered = 0;
          var $ = function (id) { return document.getElementById(id); };
          var cards = $('cards'), tbody = $('rows'), tablewrap = $('tablewrap'), status = $('status'), more = $('more');
          var announce = $('announce');

          function el(tag, cls, text) {
            var e = document.createElement(tag);
            if (cls) e.className = cls;
            if (text !== undefined && text !== null) e.textContent = String(text);
            return e;
          }
          function fmtInt(n) { return Number(n).toLocaleString('en-US'); }
          function fmtBytes(n) {
            if (n === undefined) return '';
            if (n < 1024) return n + ' B';
            if (n < 1048576) return (n / 1024).toFixed(1) + ' KB';
            return (n / 1048576).toFixed(1) + ' MB';
          }
          function dims(w, h) { return (w && h) ? w + ' \u00d7 ' + h : ''; }
          function joinParts(parts) { return parts.filter(function (p) { return p; }).join(' \u00b7 '); }
          function sourceText(it) {
            return joinParts([it.sourceFormat ? it.sourceFormat.toUpperCase() : '', fmtBytes(it.sourceBytes),
              dims(it.sourceWidth, it.sourceHeight)]);
          }
          function outputText(it) {
            return joinParts([fmtBytes(it.outputBytes), dims(it.outputWidth, it.outputHeight),
              it.outputQuality ? 'quality ' + it.outputQuality : '']);
          }
          function fold(s) { return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); }
          function haystack(it) {
            if (it._s === undefined) it._s = fold([it.title, it.key, it.displayName, it.sourcePath, it.reason].join(' '));
            return it._s;
          }
          function initials(name) {
            var words = String(name).replace(/@.*$/, '').split(/[\s._-]+/).filter(function (w) { return w; });
            var s = words.slice(0, 2).map(function (w) { return w.charAt(0).toUpperCase(); }).join('');
            return s || '?';
          }
          function outputLabel(it) {
            if (it.outcome === 'uploaded') return 'Uploaded';
            if (it.outcome === 'unchanged') return 'Uploaded before';
            if (it.outcome === 'removed') return 'Removed';
            if (!it.outputBytes && !it.outputPreview) return 'Output';
            if (it.outcome === 'would-upload') return 'Would upload';
            return 'Converted';
          }
          // Text with soft break points after @ . _ / so UPNs wrap at their seams; text nodes only.
          function breakable(node, text) {
            var s = String(text), start = 0;
            for (var i = 0; i < s.length; i++) {
              var c = s.charAt(i);
              if (c === '@' || c === '.' || c === '_' || c === '/') {
                node.appendChild(document.createTextNode(s.slice(start, i + 1)));
                node.appendChild(document.createElement('wbr'));
                start = i + 1;
              }
            }
            node.appendChild(document.createTextNode(s.slice(start)));
            return node;
          }
          function picture(src, caption, alt, name, missing) {
            var f = el('figure');
            if (src) {
              var img = el('img');
              img.width = 88; img.height = 88; img.alt = alt; img.decoding = 'async'; img.loading = 'lazy';
              img.src = src;
              f.appendChild(img);
            } else {
              var ph = el('div', 'ph');
              ph.setAttribute('role', 'img');
              ph.setAttribute('aria-label', alt + ': ' + missing);
              ph.appendChild(el('b', null, initials(name)));
              ph.appendChild(el('span', null, missing));
              f.appendChild(ph);
            }
            f.appendChild(el('figcaption', null, caption));
            return f;
          }
          // The face that framing (--crop auto) framed on, marked on the original's thumbnail once its size is known
          // (the picture is letterboxed inside the square thumbnail).
          function markFace(fig, it) {
            var img = fig.querySelector('img'), m = it.faceMark;
            if (!img || !m) return;
            function place() {
              var nw = img.naturalWidth, nh = img.naturalHeight, box = img.width;
              if (!nw || !nh) return;
              var scale = Math.min(box / nw, box / nh), w = nw * scale, h = nh * scale;
              var left = Math.max(0, m[0]), top = Math.max(0, m[1]);
              var right = Math.min(1, m[0] + m[2]), bottom = Math.min(1, m[1] + m[3]);
              var mark = el('span', 'facebox');
              mark.title = 'The face the crop was framed on';
              mark.style.left = ((box - w) / 2 + left * w) + 'px';
              mark.style.top = ((box - h) / 2 + top * h) + 'px';
              mark.style.width = Math.max(2, (right - left) * w) + 'px';
              mark.style.height = Math.max(2, (bottom - top) * h) + 'px';
              fig.appendChild(mark);
            }
            if (img.complete) place(); else img.addEventListener('load', place);
          }
          function facesText(it) {
            if (it.faceCount === undefined) return '';
            var n = it.faceCount, found = n + (n === 1 ? ' face' : ' faces') + ' found';
            return it.faceMark || it.faceBox ? (n > 1 ? 'framed on the largest face, ' + found : 'framed on the face')
              : found + '; fixed crop';
          }
          function fact(dl, term, value) {
            if (!value) return;
            dl.appendChild(el('dt', null, term));
            dl.appendChild(el('dd', null, value));
          }
          function flagList(it) {
            var ul = el('ul', 'flags');
            it.flags.forEach(function (id) {
              var f = flags[id], li = el('li', 'flag', f ? f.label : id);
              if (f) li.title = f.explanation;
              ul.appendChild(li);
            });
            return ul;
          }
          function badge(it) {
            var o = outcomes[it.outcome] || { label: it.outcome, tone: 'neutral' };
            return el('span', 'badge tone-' + o.tone, o.label);
          }
          function card(it) {
            var o = outcomes[it.outcome] || { tone: 'neutral' };
            var a = el('article', 'card panel tone-' + o.tone);
            var pics = el('div', 'pics');
            var restore = it.outcome === 'restored' || !!data.run.restoresRun;
            if (it.hadPhoto !== undefined) {
              // The photo the person had before this run's change, beside the source and the upload.
              a.className += ' three';
              pics.appendChild(picture(it.previousPreview, restore ? 'Before restore' : 'Previous',
                'Previous photo of ' + it.title, it.title, it.hadPhoto ? 'no preview' : 'had none'));
            }
            if (restore) {
              // A restore sends back the backed-up bytes as they are: what was put back is its only "after".
              pics.appendChild(picture(it.sourcePreview, 'Put back', 'Photo put back for ' + it.title, it.title,
                it.sourceBytes ? 'no preview' : 'none'));
            } else {
              var original = picture(it.sourcePreview, 'Original', 'Original photo of ' + it.title, it.title,
                it.sourceWidth ? 'no preview' : 'not read');
              markFace(original, it);
              pics.appendChild(original);
              pics.appendChild(picture(it.outputPreview, outputLabel(it), outputLabel(it) + ' photo of ' + it.title,
                it.title, it.outputBytes ? 'no preview' : it.outcome === 'unchanged' ? 'not redone' : 'none'));
            }
            a.appendChild(pics);
            var head = el('div', 'head');
            head.appendChild(it.title.indexOf('@') >= 0 ? breakable(el('h3'), it.title) : el('h3', null, it.title));
            if (it.key !== it.title) head.appendChild(breakable(el('p', 'key'), it.key));
            var line1 = el('p', 'line1');
            line1.appendChild(badge(it));
            if (it.httpStatus) line1.appendChild(el('span', null, 'HTTP ' + it.httpStatus));
            if (it.line) line1.appendChild(el('span', null, 'line ' + it.line));
            if (it.targetKind && it.targetKind !== 'user') line1.appendChild(el('span', null, it.targetKind));
            if (it.mailbox) {
              line1.appendChild(el('span', null,
                (it.contactFolder ? 'folder ' + it.contactFolder + ' of ' : '') + 'mailbox ' + it.mailbox));
            }
            head.appendChild(line1);
            if (it.flags.length) head.appendChild(flagList(it));
            a.appendChild(head);
            var body = el('div', 'body');
            if (it.reason) body.appendChild(el('p', 'reason', it.reason));
            var dl = el('dl', 'facts');
            fact(dl, 'Source', sourceText(it));
            fact(dl, 'Output', outputText(it));
            if (it.cropFraction) fact(dl, 'Crop', Math.round(it.cropFraction * 100) + '% of the picture cut away');
            fact(dl, 'Faces', facesText(it));
            fact(dl, 'File', it.sourcePath);
            fact(dl, 'Request', it.requestId);
            body.appendChild(dl);
            a.appendChild(body);
            return a;
          }
          function cell(tr, text, cls) { tr.appendChild(el('td', cls, text === undefined ? '' : text)); }
          function row(it) {
            var tr = el('tr');
            cell(tr, it.line, 'num');
            cell(tr, it.title, 'brk');
            cell(tr, it.key !== it.title ? it.key : '', 'brk mono');
            var td = el('td'); td.appendChild(badge(it)); tr.appendChild(td);
            cell(tr, joinParts([it.httpStatus ? 'HTTP ' + it.httpStatus : '', it.reason]), 'brk');
            cell(tr, sourceText(it));
            cell(tr, outputText(it));
            cell(tr, it.flags.map(function (id) { return flags[id] ? flags[id].label : id; }).join(', '));
            cell(tr, it.sourcePath, 'brk mono');
            return tr;
          }
          function attention(it) {
            var o = outcomes[it.outcome];
            if (o && (o.tone === 'bad' || o.tone === 'warning')) return 0;
            return it.flags.length ? 1 : 2;
          }
          function apply() {
            var q = fold(state.q).trim();
            shown = items.filter(function (it) {
              if (state.outcome && it.outcome !== state.outcome) return false;
              if (state.flagged && !it.flags.length) return false;
              return !q || haystack(it).indexOf(q) >= 0;
            });
            if (state.order === 'attention') {
              shown = shown.map(function (it, i) { return [attention(it), i, it]; })
                .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; }).map(function (x) { return x[2]; });
            } else if (state.order === 'name') {
              shown = shown.slice().sort(function (a, b) { return fold(a.title).localeCompare(fold(b.title)); });
            }
            rendered = 0;
            cards.textContent = '';
            tbody.textContent = '';
            renderMore();
            kick();
            // Announced once per change of filter or order, not on every batch while scrolling.
            announce.textContent = !shown.length ? 'No one matches.' :
              fmtInt(shown.length) + (shown.length === 1 ? ' person' : ' people') +
              (shown.length === items.length ? '' : ' match');
          }
          function renderMore(all) {
            var table = state.view === 'table';
            var end = all ? shown.length : Math.min(shown.length, rendered + (table ? ROW_BATCH : CARD_BATCH));
            var frag = document.createDocumentFragment();
            for (var i = rendered; i < end; i++) frag.appendChild(table ? row(shown[i]) : card(shown[i]));
            (table ? tbody : cards).appendChild(frag);
            rendered = end;
            more.hidden = rendered >= shown.length;
            status.textContent = !shown.length ? 'No one matches; clear the search or pick another outcome.' :
              'Showing ' + fmtInt(rendered) + ' of ' + fmtInt(shown.length) +
              (shown.length === items.length ? ' people' : ' matching people (' + fmtInt(items.length) + ' in the run)');
          }
          function pressed(group, button) {
            Array.prototype.forEach.call(group.querySelectorAll('button'), function (b) {
              b.setAttribute('aria-pressed', b === button ? 'true' : 'false');
            });
          }

          var counts = {};
          items.forEach(function (it) { counts[it.outcome] = (counts[it.outcome] || 0) + 1; });
          // A view can be linked to: report.html#outcome=failed&view=table&flagged=1&order=name&q=smith
          location.hash.replace(/^#/, '').split('&').forEach(function (pair) {
            var at = pair.indexOf('='), key, value;
            if (at < 0) return;
            try {
              key = decodeURIComponent(pair.slice(0, at));
              value = decodeURIComponent(pair.slice(at + 1).replace(/\+/g, ' '));
            } catch (e) { return; }
            if (key === 'q') state.q = value;
            else if (key === 'outcome' && outcomes[value]) state.outcome = value;
            else if (key === 'flagged') state.flagged = value === '1' || value === 'true';
            else if (key === 'order' && /^(attention|input|name)$/.test(value)) state.order = value;
            else if (key === 'view' && /^(cards|table)$/.test(value)) state.view = value;
          });
          $('q').value = state.q;
          $('flagged').checked = state.flagged;
          $('order').value = state.order;

          var filters = $('filters');
          function filterButton(id, label, n) {
            var b = el('button', null, label);
            b.type = 'button';
            b.setAttribute('aria-pressed', id === state.outcome ? 'true' : 'false');
            b.appendChild(el('span', 'n', fmtInt(n)));
            b.addEventListener('click', function () { state.outcome = id; pressed(filters, b); apply(); });
            filters.appendChild(b);
          }
          filterButton('', 'All', items.length);
          legend.outcomes.forEach(function (o) { if (counts[o.id]) filterButton(o.id, o.label, counts[o.id]); });

          var timer = null;
          $('q').addEventListener('input', function (e) {
            clearTimeout(timer);
            timer = setTimeout(function () { state.q = e.target.value; apply(); }, 120);
          });
          $('flagged').addEventListener('change', function (e) { state.flagged = e.target.checked; apply(); });
          $('order').addEventListener('change', function (e) { state.order = e.target.value; apply(); });
          var views = $('views');
          function showView(b) {
            state.view = b.getAttribute('data-view');
            pressed(views, b);
            cards.hidden = state.view !== 'cards';
            tablewrap.hidden = state.view !== 'table';
          }
          Array.prototype.forEach.call(views.querySelectorAll('button'), function (b) {
            b.addEventListener('click', function () { showView(b); apply(); });
            if (b.getAttribute('data-view') === state.view) showView(b);
          });
          more.addEventListener('click', function () { renderMore(); });
          document.addEventListener('keydown', function (e) {
            var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
            if (e.key === '/' && !typing) { e.preventDefault(); $('q').focus(); }
          });
          $('q').addEventListener('keydown', function (e) {
            if (e.key === 'Escape' && e.target.value) { e.target.value = ''; state.q = ''; apply(); }
          });
          window.addEventListener('beforeprint', function () { renderMore(true); });
          var sentinel = $('sentinel'), observer = null;
          if ('IntersectionObserver' in window) {
            observer = new IntersectionObserver(function (entries) {
              if (entries[0].isIntersecting && rendered < shown.length) { renderMore(); kick(); }
            }, { rootMargin: '1200px 0px' });
          }
          // Observing again makes the observer report the sentinel's current state, so batches keep coming
          // while the end of the list is still near the screen.
          function kick() {
            if (!observer) return;
            observer.unobserve(sentinel);
            observer.observe(sentinel);
          }
          $('controls').hidden = false;
          apply();
          // Milliseconds from navigation to the first batch on screen, for scripts/bench-report.
          document.documentElement.setAttribute('data-ready-ms', String(Math.round(performance.now())));
        })();
        """#
}
