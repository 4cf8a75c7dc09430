"""``asv publish``, then make the dashboard load nothing from the network.

asv's ``index.html`` takes jQuery, Flot, Bootstrap, stupidtable and blueimp-md5 from CDNs; on
a machine without internet the page shows only "One or more external (JavaScript)
dependencies of airspeed velocity failed to load".  This script runs ``asv publish`` (any
arguments are passed on to it), copies the same libraries from ``vendor/`` (see
``vendor/README.md``) into the published folder and points the page's ``<script src>`` and
``<link href>`` at those copies.  An external reference it has no copy for is an error, not a
silent CDN load.  Usage, from anywhere::

    python asv_bench/publish.py                 # asv publish, then localise html/
    python asv_bench/publish.py --localize-only asv_bench/html   # an already published folder
    python asv_bench/publish.py --config other.conf.json        # another config (its html_dir)

Folders are resolved against the config's own folder, as when asv runs from ``asv_bench/``.

Then ``cd asv_bench && asv preview`` serves it on http://127.0.0.1:8080 (a browser does not
let the page read its JSON data from ``file://``; any static web server of the folder works).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "vendor"
#: Where the copies go, inside the published folder.
VENDOR_SUBDIR = "vendor"

#: Each external URL of asv 0.6's index.html -> its copy under vendor/ (same package and
#: version; Flot as published unminified, stupidtable 1.1.3 as npm has no 1.0.1).
LOCAL_COPIES = {
    "https://code.jquery.com/jquery-3.3.1.min.js": "jquery-3.3.1/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.min.js": "flot-0.8.3/jquery.flot.js",
    "https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.time.min.js": "flot-0.8.3/jquery.flot.time.js",
    "https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.selection.min.js":
        "flot-0.8.3/jquery.flot.selection.js",
    "https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.categories.min.js":
        "flot-0.8.3/jquery.flot.categories.js",
    "https://cdn.jsdelivr.net/npm/flot-orderbars@1.0.0/js/jquery.flot.orderBars.js":
        "flot-orderbars-1.0.0/jquery.flot.orderBars.js",
    "https://cdnjs.cloudflare.com/ajax/libs/stupidtable/1.0.1/stupidtable.min.js":
        "stupid-table-plugin-1.1.3/stupidtable.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/blueimp-md5/2.19.0/js/md5.min.js": "blueimp-md5-2.19.0/md5.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@3.1.1/dist/js/bootstrap.min.js": "bootstrap-3.1.1/bootstrap.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@3.1.1/dist/css/bootstrap.min.css": "bootstrap-3.1.1/bootstrap.min.css",
}

#: A <script ...> or <link ...> start tag, and the URL attribute that makes the page load something.
_TAG = re.compile(r"<(script|link)\b[^>]*>", re.IGNORECASE)
_URL = {"script": re.compile(r"""\bsrc\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL),
        "link": re.compile(r"""\bhref\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)}
#: Attributes that only make sense for a cross-origin load (a file:// page rejects crossorigin).
_CDN_ATTRS = re.compile(r"""\s+(integrity|crossorigin|referrerpolicy)\s*=\s*(["']).*?\2""", re.IGNORECASE | re.DOTALL)


def is_external(url):
    """Whether a browser would fetch ``url`` from another host (http:, https:, ``//host``)."""
    return re.match(r"\s*(https?:)?//", url, re.IGNORECASE) is not None


def _loaded_url(tag):
    """The URL a ``<script>``/``<link>`` start tag makes the page load, or None."""
    kind = tag[1:].split(None, 1)[0].rstrip(">").lower()
    if kind == "link" and re.search(r"""\brel\s*=\s*(["'])[^"']*\b(alternate|canonical)\b""", tag, re.IGNORECASE):
        return None  # a feed or a reference, not something the page loads
    m = _URL[kind].search(tag)
    return m.group(2) if m else None


def external_references(html_dir):
    """``[(file, url)]``: every ``<script src>``/``<link href>`` of the published pages that
    points to another host."""
    found = []
    for page in sorted(Path(html_dir).rglob("*.html")):
        for tag in _TAG.finditer(page.read_text(encoding="utf-8")):
            url = _loaded_url(tag.group(0))
            if url is not None and is_external(url):
                found.append((str(page), url))
    return found


def check_vendor():
    """Every vendored file against ``vendor/SHA256SUMS`` (a changed copy fails loudly)."""
    for line in (VENDOR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(None, 1)
        data = (VENDOR / name.lstrip("./")).read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise SystemExit(f"publish.py: vendor/{name} does not match vendor/SHA256SUMS")


def localize(html_dir):
    """Copy the vendored libraries into ``html_dir`` and point its pages at them.

    Returns the number of references rewritten.  Raises ``SystemExit`` naming any external
    ``<script src>``/``<link href>`` without a local copy in :data:`LOCAL_COPIES`.
    """
    html_dir = Path(html_dir)
    check_vendor()
    target = html_dir / VENDOR_SUBDIR
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(VENDOR, target, ignore=shutil.ignore_patterns("README.md", "SHA256SUMS"))
    rewritten, missing = 0, []
    for page in sorted(html_dir.rglob("*.html")):
        if target in page.parents:
            continue
        prefix = "../" * (len(page.relative_to(html_dir).parts) - 1) + VENDOR_SUBDIR + "/"

        def local(match):
            nonlocal rewritten
            tag = match.group(0)
            url = _loaded_url(tag)
            if url is None or not is_external(url):
                return tag
            if url.strip() not in LOCAL_COPIES:
                missing.append(f"{page.name}: {url}")
                return tag
            rewritten += 1
            tag = _CDN_ATTRS.sub("", tag)
            return tag.replace(url, prefix + LOCAL_COPIES[url.strip()], 1)

        text = page.read_text(encoding="utf-8")
        new = _TAG.sub(local, text)
        if new != text:
            page.write_text(new, encoding="utf-8")
    if missing:
        raise SystemExit(
            "publish.py: no local copy of " + ", ".join(missing)
            + " (a newer asv? add it to vendor/ and LOCAL_COPIES)"
        )
    return rewritten


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        description="asv publish (arguments are passed on), then serve the dashboard's libraries locally.")
    parser.add_argument("--localize-only", metavar="HTML_DIR", help="only localise an already published folder")
    parser.add_argument("--config", default=str(HERE / "asv.conf.json"))
    parser.add_argument("--html-dir", "-o")
    known, _ = parser.parse_known_args(argv)
    if known.localize_only:
        html_dir = Path(known.localize_only)
    else:
        from asv.config import Config

        config = Path(known.config).resolve()
        args = [a for a in argv if a != "--config" and not a.startswith("--config=")
                and a != known.config]
        # asv resolves the config's folders against its working directory: the config's own,
        # as when it is run from asv_bench/
        subprocess.run([sys.executable, "-m", "asv", "publish", "--config", str(config), *args],
                       check=True, cwd=config.parent)
        html_dir = config.parent / (known.html_dir or Config.load(str(config)).html_dir)
    n = localize(html_dir)
    left = external_references(html_dir)
    if left:
        raise SystemExit(f"publish.py: still external: {left}")
    print(f"publish.py: {n} references now load from {Path(html_dir) / VENDOR_SUBDIR}; nothing loads "
          "from the network.  View it with: cd asv_bench && asv preview  (http://127.0.0.1:8080)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
