#!/usr/bin/env python3
"""Which B-trees the frames of a SQLite write-ahead log belong to (what a write dirtied).

    walpages.py DATABASE

Reads DATABASE-wal (stop the server first, or freeze it with SIGSTOP, so the log is still there)
and maps each frame's page number to its table or index through the `dbstat` virtual table of
the database as it is now. Prints the frame and commit count, then frames per B-tree, most first.
"""

import collections
import sqlite3
import struct
import sys


def main() -> None:
    database = sys.argv[1]
    with open(database + "-wal", "rb") as handle:
        wal = handle.read()
    page_size = struct.unpack(">I", wal[8:12])[0]
    pages, commits, offset = [], 0, 32
    while offset + 24 + page_size <= len(wal):
        page, size_after_commit = struct.unpack(">II", wal[offset:offset + 8])
        if page == 0:
            break
        pages.append(page)
        commits += size_after_commit != 0
        offset += 24 + page_size
    owner = {pageno: name for name, pageno in sqlite3.connect(database).execute("SELECT name, pageno FROM dbstat")}
    print(f"{len(pages)} frames, {commits} commits")
    for name, count in collections.Counter(owner.get(page, "(new page)") for page in pages).most_common():
        print(count, name)


if __name__ == "__main__":
    main()
