#!/usr/bin/env python3
"""HTTPS test server that offers HTTP/2 (hypercorn), for FetchTests' HTTP/2 test.

Makes a throwaway self-signed certificate for 127.0.0.1 with the openssl command in a temporary directory,
prints "PORT <n> <cert path>", serves /feed (and /version: the HTTP version the client got), and exits when
stdin closes. Needs `pip install hypercorn`; the test is skipped without it.
"""
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import threading

from hypercorn.asyncio import serve
from hypercorn.config import Config

FEED = b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>h2</title></channel></rss>\n'


async def app(scope, receive, send):
    if scope['type'] != 'http':
        return
    body = scope.get('http_version', '').encode() if scope['path'] == '/version' else FEED
    await send({'type': 'http.response.start', 'status': 200,
                'headers': [(b'content-type', b'application/rss+xml'), (b'content-length', str(len(body)).encode())]})
    await send({'type': 'http.response.body', 'body': body})


def main():
    directory = tempfile.mkdtemp(prefix='fetch-h2-')
    cert, key = os.path.join(directory, 'cert.pem'), os.path.join(directory, 'key.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
                    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
                   check=True, capture_output=True)
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    config = Config()
    config.bind = ['127.0.0.1:%d' % port]
    config.certfile, config.keyfile = cert, key
    config.alpn_protocols = ['h2', 'http/1.1']
    config.accesslog = None
    config.errorlog = None

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(1024):
                pass
        finally:
            for name in (cert, key):
                os.unlink(name)
            os.rmdir(directory)
            os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()

    async def run():
        task = asyncio.ensure_future(serve(app, config))
        await asyncio.sleep(0.3)
        print('PORT %d %s' % (port, cert), flush=True)
        await task

    asyncio.run(run())


if __name__ == '__main__':
    main()
