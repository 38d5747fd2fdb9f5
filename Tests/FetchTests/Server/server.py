#!/usr/bin/env python3
"""Test HTTP server for FetchTests: misbehaves on purpose, one route per case.

Binds 127.0.0.1 on a free port, prints "PORT <n>" on stdout, and exits when its stdin closes
(so it never outlives the test process that started it).
"""
import gzip
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FEED = (b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Test</title>'
        b'<link>http://example.com/</link><item><title>One</title><guid>1</guid></item></channel></rss>\n')
ETAG = '"v1"'
LAST_MODIFIED = 'Tue, 15 Nov 1994 12:45:26 GMT'

probes = {}          # key -> [in flight, max in flight, count]
probes_lock = threading.Lock()
bomb_cache = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def send(self, status, body=b'', headers=None, content_type='application/rss+xml'):
        self.send_response(status)
        if content_type is not None:
            self.send_header('Content-Type', content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def do_GET(self):
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        segments = [s for s in parts.path.split('/') if s]
        route = segments[0] if segments else ''
        handler = getattr(self, 'route_' + route.replace('-', '_'), None)
        if handler is None:
            self.send(404, b'not found\n', content_type='text/plain')
            return
        handler(segments, query)

    # /feed?etag=X&lm=Y: 200 with validators, 304 when the request's validator matches.
    def route_feed(self, segments, query):
        etag = query.get('etag', ETAG)
        lm = query.get('lm', LAST_MODIFIED)
        headers = {'ETag': etag, 'Last-Modified': lm, 'Cache-Control': 'max-age=600'}
        inm = self.headers.get('If-None-Match')
        ims = self.headers.get('If-Modified-Since')
        if (inm is not None and inm == etag) or (inm is None and ims is not None and ims == lm):
            self.send_response(304)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self.send(200, FEED, headers)

    # /r/<code>/<rest...>: redirect with <code> to /<rest...> (query kept).
    def route_r(self, segments, query):
        code = int(segments[1])
        target = '/' + '/'.join(segments[2:])
        if urlsplit(self.path).query:
            target += '?' + urlsplit(self.path).query
        self.send(code, b'moved\n', {'Location': target}, content_type='text/plain')

    def route_loop(self, segments, query):
        self.send(302, b'', {'Location': '/loop'}, content_type='text/plain')

    # /status/<code>?retry-after=V
    def route_status(self, segments, query):
        headers = {}
        if 'retry-after' in query:
            headers['Retry-After'] = query['retry-after']
        self.send(int(segments[1]), ('status %s\n' % segments[1]).encode(), headers, content_type='text/plain')

    def route_gzip(self, segments, query):
        if 'gzip' not in self.headers.get('Accept-Encoding', ''):
            self.send(200, FEED)
            return
        self.send(200, gzip.compress(FEED), {'Content-Encoding': 'gzip', 'Vary': 'Accept-Encoding'})

    # /bomb?mib=N: N MiB of zeros, gzip-compressed (a few KiB on the wire).
    def route_bomb(self, segments, query):
        mib = int(query.get('mib', '64'))
        if mib not in bomb_cache:
            bomb_cache[mib] = gzip.compress(b'\0' * (mib << 20), compresslevel=9)
        self.send(200, bomb_cache[mib], {'Content-Encoding': 'gzip'})

    def route_big(self, segments, query):
        self.send(200, b'x' * int(query.get('bytes', '1000')), content_type='text/plain')

    # Headers promise 10000 bytes, 1000 come, then the connection is reset (RST).
    def route_reset(self, segments, query):
        self.send_response(200)
        self.send_header('Content-Type', 'application/rss+xml')
        self.send_header('Content-Length', '10000')
        self.end_headers()
        self.wfile.write(b'<' * 1000)
        self.wfile.flush()
        time.sleep(0.05)
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.connection.close()
        self.close_connection = True

    # Headers promise 10000 bytes, 100 come, then a clean close.
    def route_truncated(self, segments, query):
        self.send_response(200)
        self.send_header('Content-Type', 'application/rss+xml')
        self.send_header('Content-Length', '10000')
        self.end_headers()
        self.wfile.write(b'<' * 100)
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True

    # 10 bytes every 0.2 s, for up to 30 s.
    def route_trickle(self, segments, query):
        self.send_response(200)
        self.send_header('Content-Type', 'application/rss+xml')
        self.send_header('Content-Length', '100000')
        self.end_headers()
        self.close_connection = True
        try:
            for _ in range(150):
                self.wfile.write(b'<' * 10)
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    # /slow?ms=N: waits, then serves the feed.
    def route_slow(self, segments, query):
        time.sleep(int(query.get('ms', '1000')) / 1000)
        try:
            self.send(200, FEED)
        except OSError:
            self.close_connection = True

    # /ctype?value=V (no value: no Content-Type header at all).
    def route_ctype(self, segments, query):
        self.send(200, FEED, content_type=query.get('value'))

    def route_latin1(self, segments, query):
        body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Caf\u00e9 se\u00f1or</title>'
                '</channel></rss>').encode('iso-8859-1')
        self.send(200, body, content_type='application/rss+xml; charset=ISO-8859-1')

    def route_html(self, segments, query):
        self.send(200, b'<!doctype html><html><body>not a feed</body></html>', content_type='text/html')

    def route_headers(self, segments, query):
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send(200, body, content_type='application/json')

    def route_peer(self, segments, query):
        self.send(200, str(self.client_address[1]).encode(), content_type='text/plain')

    # /probe/<key>?ms=N: counts requests in flight per key; /stats/<key> reports the maximum.
    def route_probe(self, segments, query):
        key = segments[1]
        with probes_lock:
            entry = probes.setdefault(key, [0, 0, 0])
            entry[0] += 1
            entry[1] = max(entry[1], entry[0])
            entry[2] += 1
        time.sleep(int(query.get('ms', '200')) / 1000)
        with probes_lock:
            entry[0] -= 1
        self.send(200, FEED)

    def route_stats(self, segments, query):
        with probes_lock:
            entry = probes.get(segments[1], [0, 0, 0])
            body = json.dumps({'max': entry[1], 'count': entry[2]}).encode()
        self.send(200, body, content_type='application/json')


    # /items/<key>?n=N&ttl=M&maxage=S&validators=etag|lm|both|none: an RSS feed of N distinct items
    # (guids <key>-0 ... <key>-N-1), with validators; 304 when the request's validator matches. Every request
    # is counted per key with its validators and status (see /hits/<key>), for the pipeline tests
    # (Tests/EndToEndTests/FetchRun*Tests.swift).
    def route_items(self, segments, query):
        key = segments[1]
        n = int(query.get('n', '3'))
        validators = query.get('validators', 'both')
        etag = '"%s-%d"' % (key, n)
        headers = {}
        if validators in ('etag', 'both'):
            headers['ETag'] = etag
        if validators in ('lm', 'both'):
            headers['Last-Modified'] = LAST_MODIFIED
        if 'maxage' in query:
            headers['Cache-Control'] = 'max-age=%s' % query['maxage']
        inm = self.headers.get('If-None-Match')
        ims = self.headers.get('If-Modified-Since')
        not_modified = ((inm is not None and 'ETag' in headers and inm == etag)
                        or (inm is None and ims is not None and 'Last-Modified' in headers and ims == LAST_MODIFIED))
        with hits_lock:
            entry = hits.setdefault(key, {'count': 0, 'not_modified': 0, 'inm': [], 'ims': []})
            entry['count'] += 1
            entry['not_modified'] += 1 if not_modified else 0
            entry['inm'].append(inm)
            entry['ims'].append(ims)
        if not_modified:
            self.send_response(304)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return
        cache_key = (key, n, query.get('ttl'))
        body = items_cache.get(cache_key)
        if body is None:
            body = items_feed(key, n, query.get('ttl'))
            items_cache[cache_key] = body
        self.send(200, body, headers)

    def route_hits(self, segments, query):
        with hits_lock:
            body = json.dumps(hits.get(segments[1], {'count': 0, 'not_modified': 0, 'inm': [], 'ims': []})).encode()
        self.send(200, body, content_type='application/json')

    # A feed in ISO-8859-1 with one item, the charset named only in the Content-Type header.
    def route_latin1_item(self, segments, query):
        body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Caf\u00e9</title><item>'
                '<title>Cr\u00e8me br\u00fbl\u00e9e</title><guid>latin1-1</guid></item></channel></rss>').encode('iso-8859-1')
        self.send(200, body, content_type='application/rss+xml; charset=ISO-8859-1')


WORDS = ('river harbour council budget station league orchard library festival bridge vaccine satellite '
         'election glacier tunnel museum factory senator drought pipeline tariff stadium reactor ferry').split()
hits = {}
hits_lock = threading.Lock()
items_cache = {}


def items_feed(key, n, ttl):
    """N items with words drawn per item, so no two items (in any feed) look alike to the deduplicator."""
    import random
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Feed %s</title>'
             '<link>http://example.com/%s/</link>' % (key, key)]
    if ttl is not None:
        parts.append('<ttl>%s</ttl>' % ttl)
    for i in range(n):
        rng = random.Random('%s/%d' % (key, i))
        words = ' '.join(rng.choice(WORDS) + str(rng.randrange(100000)) for _ in range(40))
        parts.append('<item><title>%s %d %s</title><guid>%s-%d</guid><link>http://example.com/%s/%d</link>'
                     '<description>%s</description></item>' % (key, i, words[:40], key, i, key, i, words))
    parts.append('</channel></rss>\n')
    return ''.join(parts).encode()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main():
    server = Server(('127.0.0.1', 0), Handler)
    print('PORT %d' % server.server_address[1], flush=True)

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(1024):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()


if __name__ == '__main__':
    main()
