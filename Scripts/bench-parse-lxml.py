#!/usr/bin/env python3
"""Calibration for Scripts/bench-parse, not the floor: lxml (libxml2 under Python) on the same files, three ways.

  lxml-target: libxml2 parses and calls a Python target whose start/end/data do nothing (what a "bare parse with
               no-op callbacks" costs when the callbacks are Python's);
  lxml-tree:   libxml2 builds its tree (what fastfeedparser starts from), nothing read from it.

The issue puts fastfeedparser at about 0.8x the bare libxml2 SAX parse; against our C-level floor (a) it is near
0.2x. These lines show which floor that reference figure matches.
"""
import sys
import time

from lxml import etree


class NoOp:
    def start(self, tag, attrib):
        pass

    def end(self, tag):
        pass

    def data(self, data):
        pass

    def close(self):
        return None


def run(name, parse, files):
    cpu0 = time.process_time()
    total = 0
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        total += len(data)
        try:
            parse(data)
        except etree.XMLSyntaxError:
            pass
    cpu = time.process_time() - cpu0
    mb = total / 1048576
    print("%s files=%d MiB=%.1f cpu_s=%.3f MiB_per_cpu_s=%.1f" % (name, len(files), mb, cpu, mb / cpu))


files = sys.argv[1:]
run("lxml-target", lambda d: etree.fromstring(d, etree.XMLParser(recover=True, target=NoOp())), files)
run("lxml-tree", lambda d: etree.fromstring(d, etree.XMLParser(recover=True)), files)
