#!/usr/bin/env python3
"""Generates a realistic feed corpus for Scripts/bench-parse: RSS 2.0 with 2-6 KB content:encoded bodies,
Atom 1.0 with xml:base and xhtml content, RSS 1.0, and a few ISO-8859-1 / windows-1252 feeds.
usage: bench-parse-corpus.py DIR MEGABYTES"""
import os
import random
import sys
from xml.sax.saxutils import escape

WORDS = ("pemerintah aceh banda warga banjir hujan gempa kota kabupaten polisi jalan rumah sakit sekolah "
         "presiden menteri ekonomi harga beras pasar bupati gubernur daerah nasional tribun serambi berita "
         "the government announced new measures for the region after heavy rain flooded several districts "
         "officials said residents were evacuated and schools closed while roads remained blocked").split()
MONTHS_EN = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
MONTHS_ID = "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember".split()
DAYS_EN = "Mon Tue Wed Thu Fri Sat Sun".split()
DAYS_ID = "Senin Selasa Rabu Kamis Jumat Sabtu Minggu".split()


def sentence(rng, n=None):
    n = n or rng.randint(8, 20)
    s = " ".join(rng.choice(WORDS) for _ in range(n))
    return s[0].upper() + s[1:] + "."


def paragraph_html(rng, size):
    parts, total = [], 0
    while total < size:
        kind = rng.random()
        if kind < 0.15:
            p = '<p><img src="/images/%d.jpg" alt="%s" width="640"/></p>' % (rng.randint(1, 99999), sentence(rng, 4)[:-1])
        elif kind < 0.3:
            p = '<p>%s <a href="/read/%d" onclick="track()">%s</a> %s</p>' % (
                sentence(rng), rng.randint(1, 99999), sentence(rng, 3)[:-1], sentence(rng))
        elif kind < 0.35:
            p = '<script>window.ads && ads.push({slot: %d});</script>' % rng.randint(1, 9)
        else:
            p = "<p>%s %s &amp; %s</p>" % (sentence(rng), sentence(rng), sentence(rng))
        parts.append(p)
        total += len(p)
    return "\n".join(parts)


def rfc822(rng):
    if rng.random() < 0.3:
        return "%s, %d %s 2025 %02d:%02d WIB" % (rng.choice(DAYS_ID), rng.randint(1, 28), rng.choice(MONTHS_ID),
                                                rng.randint(0, 23), rng.randint(0, 59))
    return "%s, %02d %s 2025 %02d:%02d:%02d +0700" % (rng.choice(DAYS_EN), rng.randint(1, 28), rng.choice(MONTHS_EN),
                                                     rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))


def iso(rng):
    return "2025-%02d-%02dT%02d:%02d:%02d+07:00" % (rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
                                                   rng.randint(0, 59), rng.randint(0, 59))


def rss20(rng, k, latin=False):
    host = "https://portal%d.example.co.id" % k
    items = []
    for i in range(rng.randint(20, 50)):
        title = sentence(rng, rng.randint(6, 12))[:-1]
        if latin:
            title += " caf\u00e9 \u00e0 la cr\u00e8me"
        body = paragraph_html(rng, rng.randint(2048, 6144))
        items.append("""<item>
<title>%s</title>
<link>%s/read/%d/%d?utm_source=rss</link>
<description><![CDATA[<p>%s</p>]]></description>
<content:encoded><![CDATA[%s]]></content:encoded>
<dc:creator>Redaksi %d</dc:creator>
<pubDate>%s</pubDate>
<guid isPermaLink="false">p%d-%d</guid>
<category>%s</category><category>%s</category>
<enclosure url="/img/%d.jpg" type="image/jpeg" length="%d"/>
</item>""" % (escape(title), host, k, i, sentence(rng), body, rng.randint(1, 9), rfc822(rng), k, i,
              rng.choice(WORDS), rng.choice(WORDS), i, rng.randint(1000, 99999)))
    enc = "ISO-8859-1" if latin else "UTF-8"
    return ("""<?xml version="1.0" encoding="%s"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>Portal %d</title>
<link>%s/</link>
<description>%s</description>
<language>id</language>
<atom:link rel="self" href="%s/rss" type="application/rss+xml"/>
<lastBuildDate>%s</lastBuildDate>
%s
</channel>
</rss>
""" % (enc, k, host, sentence(rng), host, rfc822(rng), "\n".join(items))).encode("iso-8859-1" if latin else "utf-8")


def xhtml_body(rng, size):
    # Atom xhtml content must be well-formed XML: no script, closed img.
    parts, total = [], 0
    while total < size:
        if rng.random() < 0.2:
            p = '<p><a href="../read/%d.html">%s</a> <img src="img/%d.png" alt="x"/></p>' % (
                rng.randint(1, 99999), sentence(rng, 4)[:-1], rng.randint(1, 999))
        else:
            p = "<p>%s %s <b>%s</b></p>" % (sentence(rng), sentence(rng), sentence(rng, 3)[:-1])
        parts.append(p)
        total += len(p)
    return "".join(parts)


def atom(rng, k):
    base = "https://blog%d.example.org/posts/" % k
    entries = []
    for i in range(rng.randint(20, 50)):
        entries.append("""<entry xml:base="%d/">
<title type="html">%s &amp;lt;b&amp;gt;</title>
<link rel="alternate" type="text/html" href="story-%d.html"/>
<id>tag:blog%d.example.org,2025:%d</id>
<published>%s</published><updated>%s</updated>
<author><name>Author %d</name></author>
<category term="%s"/>
<summary>%s</summary>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">%s</div></content>
</entry>""" % (i, escape(sentence(rng, 8)[:-1]), i, k, i, iso(rng), iso(rng), rng.randint(1, 9), rng.choice(WORDS),
              escape(sentence(rng)), xhtml_body(rng, rng.randint(2048, 6144))))
    return ("""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="%s" xml:lang="en">
<title>Blog %d</title><link href="../"/><link rel="self" href="../feed.atom"/>
<id>tag:blog%d.example.org,2025:feed</id><updated>%s</updated>
%s
</feed>
""" % (base, k, k, iso(rng), "\n".join(entries))).encode("utf-8")


def rss10(rng, k):
    items = []
    for i in range(rng.randint(20, 50)):
        items.append("""<item rdf:about="http://rdf%d.example.net/%d">
<title>%s</title><link>http://rdf%d.example.net/%d</link>
<description>%s</description>
<dc:date>%s</dc:date><dc:creator>Editor</dc:creator><dc:subject>%s</dc:subject>
<content:encoded>%s</content:encoded>
</item>""" % (k, i, escape(sentence(rng, 8)[:-1]), k, i, escape(sentence(rng)), iso(rng), rng.choice(WORDS),
              escape(paragraph_html(rng, rng.randint(2048, 6144)))))
    return ("""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel rdf:about="http://rdf%d.example.net/"><title>RDF %d</title><link>http://rdf%d.example.net/</link>
<description>%s</description></channel>
%s
</rdf:RDF>
""" % (k, k, k, sentence(rng), "\n".join(items))).encode("utf-8")


def main():
    out, megabytes = sys.argv[1], float(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    rng = random.Random(7)
    total, k = 0, 0
    while total < megabytes * 1024 * 1024:
        r = k % 20
        if r < 11:
            data, ext = rss20(rng, k), "rss"
        elif r < 12:
            data, ext = rss20(rng, k, latin=True), "rss"
        elif r < 17:
            data, ext = atom(rng, k), "atom"
        else:
            data, ext = rss10(rng, k), "rdf"
        with open(os.path.join(out, "feed%05d.%s" % (k, ext)), "wb") as f:
            f.write(data)
        total += len(data)
        k += 1
    print("generated %d feeds, %.1f MiB in %s" % (k, total / 1048576, out))


if __name__ == "__main__":
    main()
