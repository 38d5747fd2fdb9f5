#!/usr/bin/env python3
"""Benchmark feed server for Scripts/bench-fetch.

Serves N feeds (RSS 2.0 for even numbers, Atom for odd) of M items each with 1-3 KB bodies, on every loopback
address 127.0.0.2 ... 127.0.0.(1+hosts), one port, HTTP/1.1 keep-alive. Each response waits a fixed latency
first. ETag/Last-Modified with 304s, gzip when asked. Every request is logged; control endpoints on 127.0.0.1:
  GET /__stats  -> {"requests": n, "by_status": {...}, "distinct": d, "max_per_path": k}
  GET /__reset  -> clears the log
Feed URLs: http://127.0.0.<2 + i % hosts>:<port>/feed/<i>.xml. Prints "READY <port>" once listening.
"""
import argparse
import asyncio
import collections
import gzip
import hashlib
import json
import random
import sys

WORDS = ('pemerintah provinsi aceh banda kota warga bantuan banjir jalan sekolah rumah sakit pasar harga beras '
         'minyak gubernur bupati polisi kapal nelayan pelabuhan bandara festival budaya masjid raya tsunami gempa '
         'pantai wisata kopi gayo ekspor petani sawah panen hujan angin cuaca laporan menteri presiden rakyat '
         'anggaran proyek pembangunan jembatan listrik air bersih desa kecamatan kabupaten dinas kesehatan '
         'pendidikan universitas mahasiswa guru siswa ujian sepak bola liga klub pemain pelatih pertandingan '
         'the government said on monday that a new policy would help residents after heavy rain flooded '
         'several districts and officials expect more aid to arrive this week according to local reports').split()

LAST_MODIFIED = 'Wed, 26 Nov 2026 06:00:00 GMT'


def make_feeds(count, items, seed):
    rng = random.Random(seed)
    stories = []
    for s in range(count * items // 3):
        title = ' '.join(rng.choices(WORDS, k=rng.randint(6, 11))).capitalize()
        body = ' '.join(rng.choices(WORDS, k=rng.randint(150, 450)))  # about 1-3 KB
        stories.append((title, body))
    feeds = []
    for f in range(count):
        entries = []
        for i in range(items):
            # Two in three items are the feed's own story; one in three is syndicated from a shared pool.
            k = ((f * items + i) // 3) % len(stories) if i % 3 else rng.randrange(len(stories))
            title, body = stories[k]
            prefix = 'KOTA %d - ' % f
            entries.append((f * 1000 + i, title, prefix + body, 1795500000 - f * 60 - i * 3600))
        if f % 2 == 0:
            xml = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
                   '<title>Bench feed %d</title><link>http://bench.example/%d/</link>' % (f, f),
                   '<description>Benchmark feed %d</description>' % f]
            for guid, title, body, ts in entries:
                xml.append('<item><title>%s</title><link>http://bench.example/%d/%d</link><guid>bench-%d</guid>'
                           '<pubDate>%s</pubDate><description>%s</description></item>'
                           % (title, f, guid, guid, rfc822(ts), body))
            xml.append('</channel></rss>\n')
        else:
            xml = ['<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
                   '<title>Bench feed %d</title><id>urn:bench:%d</id><updated>%s</updated>' % (f, f, rfc3339(entries[0][3])),
                   '<link href="http://bench.example/%d/"/>' % f]
            for guid, title, body, ts in entries:
                xml.append('<entry><title>%s</title><id>urn:bench:%d</id><link href="http://bench.example/%d/%d"/>'
                           '<updated>%s</updated><summary>%s</summary></entry>'
                           % (title, guid, f, guid, rfc3339(ts), body))
            xml.append('</feed>\n')
        raw = ''.join(xml).encode()
        etag = '"%s"' % hashlib.sha1(raw).hexdigest()[:16]
        feeds.append((raw, gzip.compress(raw, 6), etag, 'application/rss+xml' if f % 2 == 0 else 'application/atom+xml'))
    return feeds


def rfc822(ts):
    import email.utils
    return email.utils.formatdate(ts, usegmt=True)


def rfc3339(ts):
    import datetime
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


class Bench:
    def __init__(self, feeds, latency):
        self.feeds = feeds
        self.latency = latency
        self.log = []

    async def handle(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b'\r\n\r\n')
                lines = head.decode('latin-1').split('\r\n')
                method, path, _ = lines[0].split(' ', 2)
                headers = {}
                for line in lines[1:]:
                    if ':' in line:
                        name, value = line.split(':', 1)
                        headers[name.strip().lower()] = value.strip()
                status, extra, body = await self.respond(path, headers)
                out = ['HTTP/1.1 %d %s' % (status, {200: 'OK', 304: 'Not Modified', 404: 'Not Found'}[status])]
                out += ['%s: %s' % kv for kv in extra.items()]
                if status != 304:
                    out.append('Content-Length: %d' % len(body))
                writer.write(('\r\n'.join(out) + '\r\n\r\n').encode('latin-1') + (body if method != 'HEAD' else b''))
                await writer.drain()
                if headers.get('connection', '').lower() == 'close':
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def respond(self, path, headers):
        if path == '/__stats':
            counts = collections.Counter(p for p, _ in self.log)
            return 200, {'Content-Type': 'application/json'}, json.dumps({
                'requests': len(self.log),
                'by_status': collections.Counter(str(s) for _, s in self.log),
                'distinct': len(counts),
                'max_per_path': max(counts.values(), default=0),
            }).encode()
        if path == '/__reset':
            self.log.clear()
            return 200, {'Content-Type': 'text/plain'}, b'ok\n'
        await asyncio.sleep(self.latency)
        try:
            index = int(path.rsplit('/', 1)[-1].split('.')[0]) if path.startswith('/feed/') else -1
        except ValueError:
            index = -1
        if not 0 <= index < len(self.feeds):
            self.log.append((path, 404))
            return 404, {'Content-Type': 'text/plain'}, b'not found\n'
        raw, packed, etag, ctype = self.feeds[index]
        extra = {'ETag': etag, 'Last-Modified': LAST_MODIFIED, 'Content-Type': ctype}
        inm = headers.get('if-none-match')
        ims = headers.get('if-modified-since')
        if inm == etag or (inm is None and ims == LAST_MODIFIED):
            self.log.append((path, 304))
            return 304, extra, b''
        self.log.append((path, 200))
        if 'gzip' in headers.get('accept-encoding', ''):
            extra['Content-Encoding'] = 'gzip'
            extra['Vary'] = 'Accept-Encoding'
            return 200, extra, packed
        return 200, extra, raw


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--feeds', type=int, default=1000)
    parser.add_argument('--items', type=int, default=50)
    parser.add_argument('--hosts', type=int, default=64)
    parser.add_argument('--latency-ms', type=float, default=50)
    parser.add_argument('--port', type=int, default=18080)
    args = parser.parse_args()
    feeds = make_feeds(args.feeds, args.items, seed=4)
    bench = Bench(feeds, args.latency_ms / 1000)
    hosts = ['127.0.0.1'] + ['127.0.0.%d' % (2 + h) for h in range(args.hosts)]
    server = await asyncio.start_server(bench.handle, host=hosts, port=args.port, backlog=1024, reuse_address=True)
    print('READY %d %d bytes raw, %d gzip' % (args.port, sum(len(f[0]) for f in feeds), sum(len(f[1]) for f in feeds)),
          flush=True)
    async with server:
        await server.serve_forever()


if __name__ == '__main__':
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
