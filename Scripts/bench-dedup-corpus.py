#!/usr/bin/env python3
"""Turn the dev corpus feeds into dedup input documents (JSON Lines) for `bench-dedup eval`.

Usage: Scripts/bench-dedup-corpus.py CORPUS_DIR OUT.jsonl

A stand-in for the aggregator's own parser and HTML-to-text step, so the clustering rule can be
measured without the full pipeline: feeds in feeds.json order, items in document order; text is the
content (block elements become line breaks) else the summary.
"""
import html
import json
import re
import sys
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "rss1": "http://purl.org/rss/1.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
BLOCK = re.compile(r"</?(p|br|div|li|ul|ol|h[1-6]|figure|figcaption|blockquote|tr|table|section)\b[^>]*>", re.I)


def plain(fragment):
    if not fragment:
        return ""
    text = BLOCK.sub("\n", fragment)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    lines = [re.sub(r"[ \t\u00a0]+", " ", l).strip() for l in text.split("\n")]
    return "\n".join(l for l in lines if l)


def date(value):
    if not value:
        return None
    value = value.strip()
    try:
        d = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            d = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.timestamp()


def text_of(el, path):
    found = el.find(path, NS)
    return found.text if found is not None and found.text else None


def items(path):
    root = ET.parse(path).getroot()
    tag = root.tag
    if tag == "rss":
        for it in root.iter("item"):
            yield dict(title=text_of(it, "title"), link=text_of(it, "link"),
                       content=text_of(it, "content:encoded"), summary=text_of(it, "description"),
                       published=text_of(it, "pubDate"))
    elif tag == "{%s}feed" % NS["atom"]:
        for it in root.findall("atom:entry", NS):
            link = None
            for l in it.findall("atom:link", NS):
                if l.get("rel", "alternate") == "alternate":
                    link = l.get("href")
            yield dict(title=text_of(it, "atom:title"), link=link, content=text_of(it, "atom:content"),
                       summary=text_of(it, "atom:summary"),
                       published=text_of(it, "atom:published") or text_of(it, "atom:updated"))
    else:
        for it in root.findall("rss1:item", NS):
            yield dict(title=text_of(it, "rss1:title"), link=text_of(it, "rss1:link"),
                       content=text_of(it, "content:encoded"), summary=text_of(it, "rss1:description"),
                       published=text_of(it, "dc:date"))


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    feeds = json.load(open(f"{corpus}/feeds.json"))
    n = 0
    with open(out, "w") as fh:
        for feed in feeds:
            for it in items(f"{corpus}/{feed['file']}"):
                text = plain(it["content"]) or plain(it["summary"])
                fh.write(json.dumps(dict(feed=feed["name"], lang=feed["lang"], title=plain(it["title"]),
                                         link=(it["link"] or "").strip(), text=text,
                                         published=date(it["published"])), ensure_ascii=False) + "\n")
                n += 1
    print(f"{n} documents -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
